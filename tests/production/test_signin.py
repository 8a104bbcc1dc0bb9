"""Sign-in security: lockout after repeated failures, password rules, idle sessions, the initial password that
must be changed, disabled users whose sessions end at once, and error pages without personal data."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, User, UserSession
from tests.factories import UserFactory

PASSWORD = "pw-Test-2026!"


def _sign_in(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- lockout (django-axes, accounts/lockout.py) ------------------------------------------------------------------
# The test client signs in from REMOTE_ADDR 127.0.0.1 unless a test names another address.

OFFICE, HOME, ATTACKER, ELSEWHERE = "10.1.1.1", "10.2.2.2", "203.0.113.9", "198.51.100.7"
WRONG = "wrong-Pass-1!"


def _from(address, username, password=PASSWORD, client=None, **headers):
    from django.test import Client

    return (client or Client()).post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


def test_five_failures_lock_the_username_from_that_address_only(client, users, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _sign_in(client, "director", WRONG).status_code == 200
    locked = _sign_in(client, "director", WRONG)
    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "30" in locked.content.decode()  # the cool-off in minutes
    right = _sign_in(client, "director")
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    # Another account from the same address is not affected…
    assert _sign_in(client, "supervisor").status_code == 302
    # …nor the same account from another address: a stranger cannot lock a director out of her own office.
    assert _from(OFFICE, "director").status_code == 302


def test_the_lock_page_is_chinese_and_says_what_is_locked(client, users):
    for _ in range(5):
        locked = _sign_in(client, "director", WRONG)
    text = locked.content.decode()
    assert locked.status_code == 429
    assert "该账号从当前网络地址登录失败 5 次，已在此地址暂时锁定。" in text and "请在 30 分钟后重试" in text


def test_the_lock_ends_after_the_cool_off(client, users):
    for _ in range(5):
        _sign_in(client, "director", WRONG)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        response = _sign_in(client, "director")
        assert response.status_code == 302 and client.session["_auth_user_id"] == str(users.director.pk)


def test_a_successful_sign_in_resets_the_count(client, users):
    for _ in range(4):
        _sign_in(client, "director", WRONG)
    assert _sign_in(client, "director").status_code == 302
    client.logout()
    for _ in range(4):
        assert _sign_in(client, "director", WRONG).status_code == 200
    assert _sign_in(client, "director").status_code == 302


def _spray(address, total):
    """`total` wrong passwords from one address, three per username: no username comes near its own limit."""
    return [_from(address, f"guess{n // 3}", WRONG).status_code for n in range(total)]


def test_an_address_failing_over_many_usernames_is_throttled(users, settings):
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 30
    assert _spray(ATTACKER, 29) == [200] * 29
    throttled = _from(ATTACKER, "guess10", WRONG)
    assert throttled.status_code == 429
    text = throttled.content.decode()
    assert "当前网络地址的登录失败次数过多（所有账号合计 30 次及以上），该地址暂时不能登录。" in text
    assert "请在 30 分钟后重试" in text
    # Every username is refused from that address now, even with the right password…
    assert _from(ATTACKER, "director").status_code == 429
    # …while another address, and the same usernames from it, are unaffected.
    assert _from(ELSEWHERE, "director").status_code == 302
    assert _from(ELSEWHERE, "guess0", WRONG).status_code == 200


def test_the_address_limit_comes_from_the_settings(users, settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 12
    assert _spray(ATTACKER, 11) == [200] * 11
    assert _from(ATTACKER, "guess9", WRONG).status_code == 429
    settings.AXES_ADDRESS_FAILURE_LIMIT = 0  # off
    assert _from(ATTACKER, "director").status_code == 302


def test_signing_in_to_an_own_account_does_not_clear_the_address_count(users):
    """An attacker who holds one account cannot sign in every 29 guesses to start the address count again."""
    assert _spray(ATTACKER, 28) == [200] * 28
    assert _from(ATTACKER, "supervisor").status_code == 302
    assert _from(ATTACKER, "guess20", WRONG).status_code == 200  # the 29th
    assert _from(ATTACKER, "guess20", WRONG).status_code == 429  # the 30th


def test_an_office_sharing_one_address_keeps_working_through_a_few_lockouts(users):
    """Two directors' typos and one locked account in a township office do not come near the address limit."""
    for _ in range(5):
        _from(OFFICE, "director", WRONG)
    assert _from(OFFICE, "director").status_code == 429
    for _ in range(4):
        assert _from(OFFICE, "other_director", WRONG).status_code == 200
    assert _from(OFFICE, "other_director").status_code == 302
    assert _from(OFFICE, "supervisor").status_code == 302


def test_the_address_throttle_ends_after_the_cool_off(users):
    _spray(ATTACKER, 30)
    assert _from(ATTACKER, "director").status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        assert _from(ATTACKER, "director").status_code == 302


def test_a_direct_client_cannot_rotate_its_address_with_forwarded_headers(users, settings):
    """Not behind the proxy (no BEHIND_TLS_PROXY), X-Forwarded-For and X-Real-IP are the client's own words."""
    assert settings.SECURE_PROXY_SSL_HEADER is None
    for n in range(5):
        spoofed = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}", "HTTP_X_REAL_IP": f"192.0.2.{n}"}
        _from(ATTACKER, "director", WRONG, **spoofed)
    assert (
        _from(ATTACKER, "director", HTTP_X_REAL_IP="192.0.2.99", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    )


def test_behind_the_proxy_the_address_is_the_one_nginx_sets(users, settings):
    """deploy/nginx sets X-Real-IP to the client's address; REMOTE_ADDR is then nginx's own (127.0.0.1)."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    for _ in range(5):
        _from("127.0.0.1", "director", WRONG, HTTP_X_REAL_IP=ATTACKER)
    assert _from("127.0.0.1", "director", HTTP_X_REAL_IP=ATTACKER).status_code == 429
    assert _from("127.0.0.1", "director", HTTP_X_REAL_IP=OFFICE).status_code == 302


def test_admin_sign_in_is_protected_too(client, db):
    UserFactory(username="boss", is_staff=True, is_superuser=True, role=Role.ADMIN)
    for _ in range(5):
        client.post("/admin/login/", {"username": "boss", "password": "nope-Nope-1!"})
    assert client.post("/admin/login/", {"username": "boss", "password": PASSWORD}).status_code == 429


# --- password rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Demo@2026", PASSWORD, "村里的Abc#9"])
def test_strong_passwords_pass(db, password):
    validate_password(password, User(username="someone"))


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!", "password_too_short"),
        ("abcdefgh12", "password_not_mixed"),
        ("abcdefgh!!", "password_not_mixed"),
        ("12345678!!", "password_not_mixed"),
        ("password", "password_too_common"),
    ],
)
def test_weak_passwords_are_refused(db, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="someone"))
    assert code in [e.code for e in refused.value.error_list]


# --- idle sessions ----------------------------------------------------------------------------------------------


def test_sessions_end_after_the_idle_time_but_activity_keeps_them(client, users, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    assert _sign_in(client, "director").status_code == 302
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(minutes=25)):
        assert client.get("/children/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=50)):  # 25 minutes after the last request
        assert client.get("/children/").status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=81)):  # 31 minutes idle
        response = client.get("/children/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_session_is_written_at_most_once_a_minute_while_active(client, users):
    """Activity extends the session without an UPDATE of the session row on every page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes(minutes: float) -> int:
        with time_machine.travel(start + dt.timedelta(minutes=minutes)):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get("/visits/worklist/").status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in ctx.captured_queries)

    start = timezone.now()
    with time_machine.travel(start):
        assert _sign_in(client, "director").status_code == 302
    assert session_writes(0.2) == 0 and session_writes(0.9) == 0  # saved at sign-in, under a minute ago
    assert session_writes(1.5) == 1  # more than a minute: saved, expiry pushed back
    assert session_writes(2.0) == 0
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expiry >= start + dt.timedelta(minutes=1.5 + 30) - dt.timedelta(seconds=1)


# --- the initial password must be changed ---------------------------------------------------------------------


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True, role=Role.ADMIN)
    client.force_login(admin)
    return client


def test_a_user_created_by_an_administrator_must_change_the_password(admin_client, client, tree, django_user_model):
    response = admin_client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newdirector",
            "password1": "Init@2026x",
            "password2": "Init@2026x",
            "usable_password": "true",
            "role": Role.DIRECTOR,
            "last_name": "王",
            "first_name": "芳",
            "areas": [tree.v1.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newdirector")
    assert user.must_change_password

    client.logout()
    assert _sign_in(client, "newdirector", "Init@2026x").status_code == 302
    for path in ("/", "/children/", "/visits/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/accounts/password/"
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/",
        {"old_password": "Init@2026x", "new_password1": "Mine#2026z", "new_password2": "Mine#2026z"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Mine#2026z")
    assert client.get("/children/").status_code == 200  # still signed in, free to go


def test_a_password_reset_by_an_administrator_must_be_changed(admin_client, users):
    director = users.director
    response = admin_client.post(
        f"/admin/accounts/user/{director.pk}/password/",
        {"password1": "Reset@2026y", "password2": "Reset@2026y", "usable_password": "true"},
    )
    assert response.status_code == 302
    director.refresh_from_db()
    assert director.must_change_password and director.check_password("Reset@2026y")


def test_the_password_change_page_refuses_weak_passwords(client, users):
    users.director.must_change_password = True
    users.director.save()
    client.force_login(users.director)
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "abcdefgh12", "new_password2": "abcdefgh12"}
    )
    assert response.status_code == 200 and response.context["form"].errors["new_password2"]
    users.director.refresh_from_db()
    assert users.director.must_change_password


def test_demo_and_ordinary_users_are_not_forced(client, users):
    assert not users.director.must_change_password
    client.force_login(users.director)
    assert client.get("/children/").status_code == 200


# --- disabling a user ends every session of theirs -----------------------------------------------------------


def _signed_in_client(username):
    from django.test import Client

    other = Client()
    assert _sign_in(other, username).status_code == 302
    return other


def test_the_admin_action_disables_users_and_ends_their_sessions(admin_client, users):
    phone, desk = _signed_in_client("director"), _signed_in_client("director")
    supervisor = _signed_in_client("supervisor")
    assert UserSession.objects.filter(user=users.director).count() == 2
    Session.objects.filter(session_key=desk.session.session_key).update(expire_date=timezone.now())
    _signed_in_client("director")  # a new sign-in forgets the ended session…
    assert UserSession.objects.filter(user=users.director).count() == 2
    desk = _signed_in_client("director")  # …and the desk signs in again
    response = admin_client.post(
        "/admin/accounts/user/",
        {"action": "disable_users", "_selected_action": [users.director.pk], "index": 0},
    )
    assert response.status_code == 302
    users.director.refresh_from_db()
    assert not users.director.is_active
    assert not Session.objects.filter(session_key__in=[phone.session.session_key, desk.session.session_key]).exists()
    for client in (phone, desk):
        response = client.get("/children/")
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert supervisor.get("/children/").status_code == 200  # others keep working
    assert _sign_in(_fresh(), "director").status_code == 200  # and the disabled user cannot sign in again


def _fresh():
    from django.test import Client

    return Client()


def test_unticking_active_in_the_user_form_ends_the_sessions(admin_client, users):
    phone = _signed_in_client("director")
    page = admin_client.get(f"/admin/accounts/user/{users.director.pk}/change/")
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "password":
            continue
        if isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in (value.all() if hasattr(value, "all") else value)]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    data.pop("is_active", None)
    data["date_joined_0"], data["date_joined_1"] = (
        timezone.localtime(users.director.date_joined).strftime("%Y-%m-%d %H:%M:%S").split()
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    last = users.director.last_login and timezone.localtime(users.director.last_login)
    if last:
        data["last_login_0"], data["last_login_1"] = last.strftime("%Y-%m-%d %H:%M:%S").split()
    response = admin_client.post(f"/admin/accounts/user/{users.director.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    users.director.refresh_from_db()
    assert not users.director.is_active
    response = phone.get("/children/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=phone.session.session_key).exists()


# --- error pages ------------------------------------------------------------------------------------------------


def test_404_page_is_ours_and_repeats_nothing_from_the_request(client, users, settings):
    settings.DEBUG = False
    client.force_login(users.director)
    response = client.get("/children/999999/?id_number=110101201001011234")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    text = response.content.decode()
    assert "110101201001011234" not in text and "999999" not in text and 'lang="zh-hans"' in text
    assert users.director.get_full_name() not in text and "director" not in text


def test_500_page_renders_without_a_request_context(rf, db):
    from django.views.defaults import server_error

    response = server_error(rf.get("/children/1/?q=张三"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "张三" not in text and "<h1>" in text and "app.css" in text


def test_csrf_failure_page_is_ours(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "403_csrf.html" in [t.name for t in response.templates]


def test_403_and_400_templates_exist_and_render(rf, db):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import bad_request, permission_denied

    request = rf.get("/")
    request.user = AnonymousUser()
    for response in (permission_denied(request, PermissionDenied()), bad_request(request, ValueError())):
        assert response.status_code in (400, 403) and "<h1>" in response.content.decode()


def test_the_documented_demo_sign_ins_work_without_a_forced_password_change(client, db, settings):
    """README: the demo users from seed_demo sign in with Demo@2026 and go straight to work."""
    from demo.children import DEMO_PASSWORD, build_demo_areas, build_demo_users

    build_demo_areas()
    rows = build_demo_users()
    assert DEMO_PASSWORD == "Demo@2026"
    validate_password(DEMO_PASSWORD)
    for username in ("director", "supervisor", "county"):
        assert (username, DEMO_PASSWORD) in [(r[0], r[2]) for r in rows]
        assert not User.objects.get(username=username).must_change_password
    response = _sign_in(client, "director", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).redirect_chain[-1][0] != "/accounts/password/"
