"""A child's help plans in the API (GET /api/v1/children/{id}/help-plans/, issue 18): read only, through the gate
(another area's child, or a department's client, is 404 like a missing one), logged, with the read-children scope,
in a fixed number of queries however many plans, and documented in the schema."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children.models import AccessLog
from plans import services
from plans.services import NeedInput

from .conftest import http, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _url(child) -> str:
    return f"/api/v1/children/{child.pk}/help-plans/"


def _plan(users, child, opened_on, *, close=True):
    plan = services.plan_create(
        user=users.director,
        child=child,
        kind="general",
        opened_on=opened_on,
        lead=users.director,
        summary="放学后到儿童之家写作业",
        needs=[NeedInput(description="晚饭无人照料")],
    )
    goal = services.goal_add(user=users.director, plan=plan, description="每天按时吃晚饭")
    services.measure_add(
        user=users.director,
        plan=plan,
        goal=goal,
        description="联系邻居代为照看晚饭",
        owner_kind="staff",
        owner=users.director,
        due_on=opened_on + 7 * DAY,
    )
    services.review_create(
        user=users.director,
        plan=plan,
        reviewed_on=opened_on + 10 * DAY,
        decision="close" if close else "continue",
        progress={goal.pk: ("met", "已按时吃饭")},
        notes="邻居每天照看",
        close_reason="目标达成",
    )
    return plan


def test_the_area_client_reads_the_childs_plans_with_measures_and_reviews(api, users):
    plan = _plan(users, api.child, TODAY - 30 * DAY, close=False)
    response = http(api.county.key).get(_url(api.child))
    assert response.status_code == 200, response.content
    [row] = response.json()["results"]
    assert (row["id"], row["kind"], row["status"], row["summary"]) == (
        plan.pk,
        "general",
        "open",
        "放学后到儿童之家写作业",
    )
    assert row["opened_on"] == (TODAY - 30 * DAY).isoformat() and row["lead"] == str(users.director)
    assert [n["description"] for n in row["needs"]] == ["晚饭无人照料"]
    [goal] = row["goals"]
    [measure] = row["measures"]
    assert (measure["description"], measure["owner_kind"], measure["owner"], measure["goal"]) == (
        "联系邻居代为照看晚饭",
        "staff",
        str(users.director),
        goal["id"],
    )
    [review] = row["reviews"]
    assert (review["decision"], review["notes"], review["reviewed_by"]) == (
        "continue",
        "邻居每天照看",
        str(users.director),
    )
    assert review["progress"] == [{"goal": goal["id"], "progress": "met", "note": "已按时吃饭"}]
    # The read is in the access log, with the client.
    assert AccessLog.objects.filter(child=api.child, client=api.county, action="view").count() == 1


def test_another_areas_or_a_departments_client_gets_404_like_a_missing_child(api, users):
    _plan(users, api.child, TODAY - 30 * DAY)
    for key in (api.other_county.key, api.dept.key):
        response = http(key).get(_url(api.child))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert http(api.county.key).get("/api/v1/children/987654321/help-plans/").status_code == 404
    assert not AccessLog.objects.filter(child=api.child).exists()


def test_it_is_read_only_and_needs_the_read_children_scope(api, users, tree):
    assert http(api.county.key).post(_url(api.child), {"summary": "x"}, format="json").status_code == 405
    narrow = make_client(api.county.user, area=tree.county, scopes=["read_schedules"], name="只读待访")
    assert http(narrow.key).get(_url(api.child)).status_code == 403


def test_a_fixed_number_of_queries_however_many_plans(api, users, tree):
    from approvals.models import ApprovalSetting

    ApprovalSetting.objects.create(
        name="平度市：儿童主任直接办理", area=tree.county, required=False
    )  # plans close at once

    def count(child) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = http(api.county.key).get(_url(child))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _plan(users, api.child, TODAY - 100 * DAY)
    count(api.child)  # warm
    few = count(api.child)
    for n in range(3):
        _plan(users, api.child, TODAY - (80 - 20 * n) * DAY)
    assert count(api.child) == few
    assert len(http(api.county.key).get(_url(api.child)).json()["results"]) == 4


def test_the_endpoint_is_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/children/{id}/help-plans/"]["get"]
    assert set(operation) >= {"description", "responses"} and "help plans" in operation["description"]
    assert list(schema["paths"]["/api/v1/children/{id}/help-plans/"]) == ["get"]
    plan = schema["components"]["schemas"]["HelpPlan"]["properties"]
    assert {"needs", "goals", "measures", "reviews", "lead"} <= set(plan)
