"""Posting visits: through the gate and visits.services.visit_create; the offline app's client key makes a visit
posted three times one visit; the access log names the client."""

import pytest

from children.models import AccessLog
from visits.models import Visit

from .conftest import http

pytestmark = pytest.mark.django_db

VISIT = {
    "kind": "home",
    "visited_at": "2026-11-20T09:30:00+08:00",
    "met_whom": "奶奶",
    "living_conditions": "fair",
    "caregiver_status": "good",
    "safety_hazards": "无",
    "mood": "good",
}


def _post(key, body, **headers):
    return http(key).post("/api/v1/visits/", body, format="json", **headers)


def test_the_same_visit_posted_three_times_makes_one_visit(api):
    body = {"child": api.child.pk, **VISIT}
    answers = [_post(api.county.key, body, HTTP_IDEMPOTENCY_KEY="phone-7f3a-0001") for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [a.json()["replayed"] for a in answers] == [False, True, True]
    assert Visit.objects.filter(child=api.child).count() == 1
    made = answers[0].json()["visits"]
    assert len(made) == 1 and all(a.json()["visits"] == made for a in answers)
    assert made[0]["visit_date"] == "2026-11-20" and made[0]["met_whom"] == "奶奶"


def test_the_key_may_come_in_the_body(api):
    body = {"child": api.child.pk, "client_key": "offline-0002", **VISIT}
    assert [_post(api.county.key, body).status_code for _ in range(3)] == [201, 200, 200]
    assert Visit.objects.filter(child=api.child).count() == 1


def test_the_same_key_with_another_visit_is_409_and_makes_nothing(api):
    _post(api.county.key, {"child": api.child.pk, "client_key": "k-9", **VISIT})
    response = _post(api.county.key, {"child": api.child.pk, "client_key": "k-9", **VISIT, "met_whom": "爷爷"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Visit.objects.filter(child=api.child).count() == 1


def test_a_key_is_needed(api):
    response = _post(api.county.key, {"child": api.child.pk, **VISIT})
    assert response.status_code == 400
    assert "client_key" in response.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_a_household_visit_makes_one_row_per_child_once(api, tree):
    from tests.factories import ChildFactory

    sibling = ChildFactory(village=tree.v1, id_number="370283201301010154", name="李小华")
    body = {"child": api.child.pk, "household": [sibling.pk], "client_key": "hh-1", **VISIT}
    assert [_post(api.county.key, body).status_code for _ in range(2)] == [201, 200]
    assert set(Visit.objects.values_list("child_id", flat=True)) == {api.child.pk, sibling.pk}


def test_the_services_checks_answer_400_with_fields_in_both_languages(api):
    body = {"child": api.child.pk, "client_key": "bad-1", **VISIT, "visited_at": "2014-01-01T09:00:00+08:00"}
    response = _post(api.county.key, body)
    assert response.status_code == 400
    item = response.json()["error"]["fields"]["visited_at"][0]
    assert item["message_en"] == "The visit cannot be before the child was born."
    assert item["message_zh"] != item["message_en"]
    missing = _post(
        api.county.key,
        {"child": api.child.pk, "client_key": "bad-2", "kind": "home", "visited_at": VISIT["visited_at"]},
    )
    assert missing.status_code == 400 and "met_whom" in missing.json()["error"]["fields"]
    assert not Visit.objects.exists()


def test_the_access_log_row_carries_the_client(api):
    _post(api.county.key, {"child": api.child.pk, "client_key": "log-1", **VISIT})
    row = AccessLog.objects.get(child=api.child)
    assert (row.client_id, row.user_id, row.action) == (api.county.pk, api.county.user_id, "edit")
    http(api.county.key).get(f"/api/v1/children/{api.child2.pk}/")
    row = AccessLog.objects.get(child=api.child2)
    assert (row.client_id, row.action) == (api.county.pk, "view")


def test_a_list_page_logs_each_child_shown_with_the_client(api):
    http(api.county.key).get("/api/v1/children/")
    rows = AccessLog.objects.filter(client=api.county)
    assert sorted(rows.values_list("child_id", flat=True)) == sorted([api.child.pk, api.child2.pk])


def test_a_signed_in_users_access_log_has_no_client(api, users):
    from rest_framework.test import APIClient

    browser = APIClient()
    browser.force_login(users.director)
    assert browser.get(f"/api/v1/children/{api.child.pk}/").status_code == 200
    assert AccessLog.objects.get(child=api.child).client_id is None
