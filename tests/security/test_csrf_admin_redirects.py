"""CSRF on every POST, the admin closed to non-staff, and no open redirect after signing in."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import get_resolver, reverse
from rest_framework.views import APIView

from tests.security.conftest import OBJECT_ARGS, object_urls, url_patterns


def _all_urls(world) -> list[tuple[str, str]]:
    """Every URL of the project: object URLs filled from the world, the others reversed without arguments."""
    urls = object_urls(world)
    filled = {name for name, _url in urls}
    for name, converters in url_patterns():
        if name in filled or OBJECT_ARGS & set(converters) or any(a.endswith("_pk") for a in converters):
            continue
        if converters:  # other arguments (e.g. a language code): not expected outside the admin
            pytest.fail(f"tests/security: teach _all_urls how to fill {sorted(converters)} of {name}")
        urls.append((name, reverse(name)))
    return urls


def test_no_view_is_csrf_exempt():
    exempt = []

    def walk(patterns, prefix=""):
        from django.urls import URLPattern, URLResolver

        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and getattr(p.callback, "csrf_exempt", False):
                if issubclass(getattr(p.callback, "cls", object), APIView):
                    continue  # DRF checks CSRF itself for a signed-in session (see the next test); keys are not cookies
                exempt.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    assert exempt == []


def test_every_post_without_a_token_is_refused(world):
    from children.models import Child

    before = Child.objects.count(), Child.objects.get(pk=world.child.pk).version
    urls = _all_urls(world) + [("admin:index", "/admin/"), ("admin:login", "/admin/login/")]
    failures = []
    for who in ("director", "county_staff", "anonymous"):
        client = Client(enforce_csrf_checks=True)
        if who != "anonymous":
            client.force_login(getattr(world.users, who))
        for name, url in urls:
            response = client.post(url, {"name": "x", "username": "director", "password": "pw-Test-2026!"})
            # The API without a session has no cookie for a forged request to ride on: it is refused as
            # unauthenticated (401) or, on its public schema and docs, as a method they do not take (405).
            refused = {401, 403, 405} if who == "anonymous" and url.startswith("/api/") else {403}
            if response.status_code not in refused:
                failures.append(f"{who} {name} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert len(urls) > 40
    assert (Child.objects.count(), Child.objects.get(pk=world.child.pk).version) == before


def test_a_post_with_the_token_gets_through(world):
    """The positive control: the same client with the token from the form is not refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.director)
    url = reverse("children:record_add", kwargs={"pk": world.child.pk, "kind": "log"})
    page = client.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(url, {"csrfmiddlewaretoken": token, "date": "2026-03-01", "content": "电话联系"})
    assert response.status_code == 302


def _admin_urls() -> list[str]:
    urls = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    return urls


def test_every_admin_page_is_refused_to_non_staff(client, users, child):
    urls = _admin_urls()
    assert len(urls) > 20
    for who in ("director", "supervisor", "county_staff", "liaison", "anonymous"):
        client.logout()
        if who != "anonymous":
            client.force_login(getattr(users, who))
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302, f"{who} {url} {response.status_code}"
                assert response["Location"].startswith("/admin/login/"), url
    # Following the redirect shows the admin's sign-in form, never the page.
    body = client.get("/admin/", follow=True).content.decode()
    assert child.name not in body


def test_positive_control_staff_reach_the_admin(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True, role="admin"))
    for url in _admin_urls():
        # 403: an add page the model's admin closes to everybody (e.g. django-axes' attempt log)
        assert client.get(url).status_code in ((200, 403) if url.endswith("/add/") else (200,)), url


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "http:evil.example",
        "https:///evil.example",
        " //evil.example",
        "javascript:alert(1)",
    ],
)
def test_sign_in_never_redirects_off_site(client, users, target):
    from tests.factories import UserFactory

    user = UserFactory(username="newcomer", role="director")
    if hasattr(user, "must_change_password"):
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
    response = client.post(
        f"{reverse('login')}?next={target}", {"username": "newcomer", "password": "pw-Test-2026!", "next": target}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location, location
    assert "evil.example" not in location and "javascript" not in location
    # and an on-site `next` is honoured (positive control)
    client.logout()
    response = client.post(f"{reverse('login')}?next=/children/", {"username": "newcomer", "password": "pw-Test-2026!"})
    assert response["Location"] == "/children/"


def test_other_next_parameters_stay_on_site(client, users, world):
    """Every view that redirects to a submitted `next` (task updates, visits) keeps it on this site."""
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example/"]:
        _check_next(client, world, target)


def _check_next(client, world, target):
    client.force_login(world.plan_liaison)
    response = client.post(
        reverse("tasks:update", kwargs={"pk": world.objects["assignment"].pk}),
        {"status": "in_progress", "progress": "进展", "next": target},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"] and not response["Location"].startswith("//")
    client.force_login(world.users.director)
    response = client.post(
        reverse("visits:new", kwargs={"child_pk": world.child.pk}) + f"?next={target}",
        {"next": target},
    )
    assert "evil.example" not in response.get("Location", "")
