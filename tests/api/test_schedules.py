"""Visit schedules and the overdue list through the API: the web pages' selectors, the client's area only; a visit
posted through the API moves the child's due date."""

import datetime

import pytest
import time_machine

from tests.factories import CategoryFactory

from .conftest import http

pytestmark = pytest.mark.django_db

# Registered on 2026-01-05 (tests.factories); the shipped default rules: home visit every 90 days, and for the
# second child also a contact every 30 days. Due dates counted by hand: 2026-04-05 and 2026-02-04.
APRIL_1 = datetime.datetime(2026, 4, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


@pytest.fixture
def april():
    with time_machine.travel(APRIL_1, tick=False):
        yield


@pytest.fixture
def schedules(april, api):
    """The schedules as of 1 April 2026 (refreshed then: a refresh never overwrites a later one)."""
    from visits import schedule

    CategoryFactory(child=api.child)
    CategoryFactory(child=api.other_child)
    schedule.refresh(child_ids=[api.child.pk, api.child2.pk, api.other_child.pk])
    return api


def _rows(key, url):
    response = http(key).get(url)
    assert response.status_code == 200, response.content
    return {row["child"]: row for row in response.json()["results"]}


def test_the_worklist_has_the_areas_children_due_within_a_week_or_overdue(schedules):
    api = schedules
    rows = _rows(api.county.key, "/api/v1/schedules/")
    assert set(rows) == {api.child.pk, api.child2.pk}
    assert rows[api.child.pk]["due_on"] == "2026-04-05" and rows[api.child.pk]["days_overdue"] in (0, None)
    assert rows[api.child2.pk]["due_on"] == "2026-02-04" and rows[api.child2.pk]["days_overdue"] == 56
    assert set(_rows(api.other_county.key, "/api/v1/schedules/")) == {api.other_child.pk}
    assert _rows(api.dept.key, "/api/v1/schedules/") == {}


def test_the_overdue_list_and_a_visit_posted_through_the_api(schedules):
    api = schedules
    assert set(_rows(api.county.key, "/api/v1/schedules/overdue/?min_days=30")) == {api.child2.pk}
    response = http(api.county.key).post(
        "/api/v1/visits/",
        {
            "child": api.child2.pk,
            "client_key": "c-1",
            "kind": "contact",
            "met_whom": "母亲",
            "channel": "wechat",
            "visited_at": "2026-04-01T08:30:00+08:00",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert set(_rows(api.county.key, "/api/v1/schedules/overdue/?min_days=30")) == set()


def test_bad_parameters_are_400_with_the_field(schedules):
    for query in ("min_days=0", "min_days=abc", "village=3702"):
        response = http(schedules.county.key).get(f"/api/v1/schedules/overdue/?{query}")
        assert response.status_code == 400
        assert list(response.json()["error"]["fields"]) == [query.split("=")[0]]
