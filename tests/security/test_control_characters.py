"""A control character (NUL and the like) in the query or a posted form answers 400 with the Chinese error page, on
every URL of the project, never 500 (config/middleware.py); under /api/ the 400 is the API's JSON error."""

from django.test import Client
from django.urls import reverse

from tests.security.test_csrf_admin_redirects import _all_urls

BAD_REQUEST_PAGE = "请求无效"


def _is_bad_request_answer(url: str, response) -> bool:
    if url.startswith("/api/"):
        return response.json()["error"]["code"] == "bad_request"
    return BAD_REQUEST_PAGE in response.content.decode()


def _assert_bad_request(response, what: str) -> None:
    assert response.status_code == 400, f"{what} -> {response.status_code}"
    assert BAD_REQUEST_PAGE in response.content.decode(), what


def test_a_nul_in_a_search_or_a_number_is_a_bad_request(client, users):
    client.force_login(users.supervisor)
    _assert_bad_request(client.get("/children/?q=%00"), "children q")
    _assert_bad_request(client.get("/visits/overdue/?min_days=%00"), "overdue min_days")
    _assert_bad_request(client.get("/children/?%00=1"), "a parameter's name")
    _assert_bad_request(client.get("/children/?q=a%1bb"), "ESC")
    _assert_bad_request(client.get("/children/?q=a%7fb"), "DEL")


def test_a_nul_in_the_sign_in_form_is_a_bad_request(users):
    from axes.models import AccessAttempt

    client = Client()
    response = client.post(reverse("login"), {"username": "director\x00", "password": "pw-Test-2026!"})
    _assert_bad_request(response, "login")
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()  # refused before the sign-in was tried


def test_tab_and_line_breaks_are_ordinary_text(client, users):
    """The positive control: typed text keeps its tabs and line breaks."""
    client.force_login(users.supervisor)
    assert client.get("/children/", {"x": "a\tb\r\nc"}).status_code == 200
    assert client.get("/visits/overdue/", {"min_days": "3", "x": "\t"}).status_code == 200


def test_no_url_of_the_project_answers_500_to_a_nul(world):
    urls = _all_urls(world) + [("admin:index", "/admin/")]
    failures = []
    for who in ("director", "county_staff"):
        client = Client()
        client.force_login(getattr(world.users, who))
        for name, url in urls:
            for method, response in (
                ("GET", client.get(url + "?x=%00")),
                ("POST", client.post(url, {"name": "王\x00", "note": "x"})),
            ):
                if response.status_code != 400 or not _is_bad_request_answer(url, response):
                    failures.append(f"{who} {method} {name} {url} -> {response.status_code}")
    assert not failures, "\n".join(failures)
    assert len(urls) > 40
