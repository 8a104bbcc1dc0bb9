"""Visits with photos through the API (the offline outbox posts them as multipart/form-data with the signed-in
session): the photos pass the web form's checks; a resend with the same key and photos makes nothing new."""

import io

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import PostedVisit
from visits.models import Visit, VisitPhoto

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde\x00\x00\x00"
    b"\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef\x00\x00\x00\x00IEND\xaeB`\x82"
)
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"

VISIT = {
    "kind": "home",
    "visited_at": "2026-11-20T09:30",  # as the form's datetime-local gives it: Beijing time
    "met_whom": "奶奶",
    "living_conditions": "fair",
    "caregiver_status": "good",
    "safety_hazards": "无",
    "mood": "good",
    "parents_contacted": "",
    "harm_found": "on",
}


def _file(content: bytes, name: str = "photo.png"):
    f = io.BytesIO(content)
    f.name = name
    return f


@pytest.fixture
def director(users):
    client = APIClient()
    client.force_login(users.director)
    return client


def _post(client, child, key, photos=(), **extra):
    body = {**VISIT, **extra, "child": child.pk, "client_key": key, "photos": list(photos)}
    return client.post("/api/v1/visits/", body, format="multipart")


def test_a_visit_with_a_photo_posted_twice_is_one_visit_with_one_photo(director, child, users):
    first = _post(director, child, "uuid-1", [_file(PNG)])
    assert first.status_code == 201, first.json()
    again = _post(director, child, "uuid-1", [_file(PNG)])
    assert again.status_code == 200 and again.json()["replayed"] is True
    visit = Visit.objects.get(child=child)
    assert first.json()["visits"][0]["photos"] == 1
    assert visit.met_whom == "奶奶" and visit.created_by == users.director and visit.harm_found is True
    assert visit.parents_contacted is None
    assert timezone.localtime(visit.visited_at).strftime("%Y-%m-%d %H:%M") == "2026-11-20 09:30"
    photo = VisitPhoto.objects.get(visit=visit)
    with photo.image.open("rb") as f:
        assert f.read() == PNG
    assert photo.image.name.endswith(".png")
    assert visit.history.count() == 1


def test_the_same_key_with_another_photo_is_409(director, child):
    assert _post(director, child, "uuid-2", [_file(PNG)]).status_code == 201
    other = _post(director, child, "uuid-2", [_file(JPEG_HEAD, "a.jpg")])
    assert other.status_code == 409
    assert VisitPhoto.objects.count() == 1


@pytest.mark.parametrize(
    ("photos", "setting"),
    [
        ([_file(b"<html><script>alert(1)</script>", "x.png")], None),  # not an image, whatever its name
        ([_file(PNG)], 40),  # over UPLOAD_MAX_BYTES
        ([_file(PNG, f"{i}.png") for i in range(10)], None),  # ten: at most nine
    ],
    ids=["not-an-image", "too-large", "too-many"],
)
def test_a_refused_photo_makes_nothing(director, child, settings, photos, setting):
    if setting:
        settings.UPLOAD_MAX_BYTES = setting
    response = _post(director, child, "uuid-3", photos)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "photos" in error["fields"], error
    assert error["fields"]["photos"][0]["message_zh"]
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()
    assert not PostedVisit.objects.exists()  # the key is free again: the phone may send it once fixed


def test_a_child_of_another_village_is_404_and_nothing_is_made(users, tree):
    from tests.factories import ChildFactory

    elsewhere = ChildFactory(village=tree.v2)
    client = APIClient()
    client.force_login(users.director)
    response = _post(client, elsewhere, "uuid-4", [_file(PNG)])
    assert response.status_code == 404
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_a_closed_archive_refuses_the_visit_with_the_reason(director, child):
    child.status = "closed"
    child.save()
    response = _post(director, child, "uuid-5")
    assert response.status_code == 400
    messages = [i["message_en"] for items in response.json()["error"]["fields"].values() for i in items]
    assert "This archive is closed; visits can no longer be recorded." in messages
    assert not Visit.objects.exists()


def test_the_session_needs_its_csrf_token_for_a_multipart_post(users, child):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users.director)
    response = _post(browser, child, "uuid-6", [_file(PNG)])
    assert response.status_code == 403
    assert not Visit.objects.exists()
