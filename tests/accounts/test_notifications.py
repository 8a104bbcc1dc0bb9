"""The bell and the notification list: no badge at zero, and opening a notification marks it read."""

import pytest

from accounts.models import Notification


def _note(user, key, url="/visits/worklist/"):
    return Notification.objects.create(user=user, key=key, title=f"提醒 {key}", url=url)


def _badge(client) -> str | None:
    html = client.get("/accounts/password/").content.decode()
    if 'id="unread-count"' not in html:
        return None
    return html.split('id="unread-count">', 1)[1].split("<", 1)[0]


@pytest.mark.django_db
def test_no_badge_at_zero_and_the_count_otherwise(client, users):
    director = users.director
    client.force_login(director)
    assert _badge(client) is None
    _note(director, "a")
    _note(director, "b")
    _note(users.supervisor, "c")  # someone else's
    assert _badge(client) == "2"


@pytest.mark.django_db
def test_opening_marks_read_and_goes_to_its_page(client, users):
    director = users.director
    n = _note(director, "a", url="/visits/worklist/")
    other = _note(director, "b")
    client.force_login(director)
    response = client.get(f"/accounts/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/visits/worklist/"
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None and other.read_at is None
    assert _badge(client) == "1"
    first_read = n.read_at
    client.get(f"/accounts/notifications/{n.pk}/")  # opened again: the first reading time stays
    n.refresh_from_db()
    assert n.read_at == first_read


@pytest.mark.django_db
def test_someone_elses_notification_is_not_found_and_stays_unread(client, users):
    n = _note(users.supervisor, "a")
    client.force_login(users.director)
    assert client.get(f"/accounts/notifications/{n.pk}/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["//evil.example/x", "https://evil.example/", "", "javascript:alert(1)"])
def test_a_link_outside_the_site_returns_to_the_list(client, users, url):
    n = _note(users.director, "a", url=url)
    client.force_login(users.director)
    response = client.get(f"/accounts/notifications/{n.pk}/")
    assert response.status_code == 302 and response["Location"] == "/accounts/notifications/"


@pytest.mark.django_db
def test_the_list_links_through_the_opener(client, users):
    n = _note(users.director, "a")
    client.force_login(users.director)
    html = client.get("/accounts/notifications/").content.decode()
    assert f'href="/accounts/notifications/{n.pk}/"' in html
