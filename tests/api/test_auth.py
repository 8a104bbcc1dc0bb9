"""Keys: Bearer only, stored hashed, refused (401) when wrong, revoked, expired or replaced; scopes (403); the phone
app's session with CSRF."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiClient

from .conftest import http, make_client

pytestmark = pytest.mark.django_db

CHILDREN = "/api/v1/children/"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message_zh"] and error["message_en"]
    return error


def test_a_valid_key_reads(api):
    assert http(api.county.key).get(CHILDREN).status_code == 200


def test_no_key_is_401_with_a_bearer_challenge(api):
    response = http().get(CHILDREN)
    _error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_or_malformed_key_is_401(api):
    wrong = api.county.key[:-4] + ("AAAA" if not api.county.key.endswith("AAAA") else "BBBB")
    for key in (wrong, "cs_00000000_" + "x" * 43, "nonsense", api.county.key + "x"):
        _error(http(key).get(CHILDREN), 401, "authentication_failed")


def test_the_key_is_stored_only_as_its_hash(api):
    row = ApiClient.objects.filter(pk=api.county.pk).values().get()
    assert all(api.county.key not in str(value) for value in row.values())
    assert row["key_prefix"] == api.county.key.split("_")[1]


def test_a_revoked_key_is_401(api):
    api.county.revoke()
    error = _error(http(api.county.key).get(CHILDREN), 401, "authentication_failed")
    assert error["message_en"] == "This API key has expired or been revoked."
    assert error["message_zh"] == "此 API 密钥已过期或已被吊销。"


def test_an_expired_key_is_401_from_the_day_after_its_date(api):
    api.county.expires_on = datetime.date(2027, 3, 31)
    api.county.save()
    with time_machine.travel(datetime.datetime(2027, 3, 31, 23, 0, tzinfo=datetime.UTC)):  # 07:00 on 1 April, Beijing
        _error(http(api.county.key).get(CHILDREN), 401, "authentication_failed")
    with time_machine.travel(datetime.datetime(2027, 3, 31, 12, 0, tzinfo=datetime.UTC)):
        assert http(api.county.key).get(CHILDREN).status_code == 200


def test_a_rotated_key_replaces_the_old_one(api):
    old = api.county.key
    new = api.county.issue_key()
    _error(http(old).get(CHILDREN), 401, "authentication_failed")
    assert http(new).get(CHILDREN).status_code == 200


def test_a_client_whose_user_is_deactivated_is_401(api):
    api.county.user.is_active = False
    api.county.user.save()
    _error(http(api.county.key).get(CHILDREN), 401, "authentication_failed")


def test_a_client_without_the_scope_is_403(api, users, tree):
    narrow = make_client(api.county.user, area=tree.county, scopes=["read_schedules"], name="只读待访")
    _error(http(narrow.key).get(CHILDREN), 403, "permission_denied")
    assert http(narrow.key).get("/api/v1/schedules/").status_code == 200


def test_the_session_of_a_signed_in_user_works_and_writes_need_csrf(api, users):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(users.director)
    assert browser.get(CHILDREN).status_code == 200
    response = browser.post("/api/v1/visits/", {"child": api.child.pk}, format="json")
    _error(response, 403, "permission_denied")
    assert "CSRF" in response.json()["error"]["message_en"]


def test_the_admin_shows_a_new_key_once_and_stores_its_hash(client, users, tree, api):
    from tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:api_apiclient_add"),
        {
            "name": "青岛教育系统",
            "department": users.department.pk,
            "area": "",
            "user": api.dept.user.pk,
            "scopes": ["referrals", "assignments"],
            "rate_per_minute": 60,
            "expires_on": "2030-01-01",
        },
    )
    assert response.status_code == 200, response.content
    made = ApiClient.objects.get(name="青岛教育系统")
    key = response.context["key"]
    assert key.startswith(f"cs_{made.key_prefix}_") and made.key_matches(key)
    assert key.encode() in response.content and "no-store" in response["Cache-Control"]
    assert key.encode() not in client.get(reverse("admin:api_apiclient_change", args=[made.pk])).content
    assert http(key).get("/api/v1/referrals/").status_code == 200


def test_a_client_must_act_as_an_account_of_its_department_or_area(api, users, tree):
    from django.core.exceptions import ValidationError

    bad = [
        ApiClient(name="x", user=users.county_staff, department=users.department, scopes=[], expires_on="2030-01-01"),
        ApiClient(name="x", user=users.liaison, area=tree.county, scopes=[], expires_on="2030-01-01"),
        ApiClient(name="x", user=api.other_county.user, area=tree.county, scopes=[], expires_on="2030-01-01"),
        ApiClient(name="x", user=api.county.user, area=tree.county, scopes=["everything"], expires_on="2030-01-01"),
    ]
    for client in bad:
        with pytest.raises(ValidationError):
            client.full_clean()
