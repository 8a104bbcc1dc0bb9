"""The children who must have a help plan (rules per region, as data) are listed and reminded when they have none;
a dropout's plan is a return-to-school plan with the school's follow-up (控辍保学 一人一案, 004 §10)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from children.models import AccessLog
from plans import reminders, services
from plans.models import HelpPlan, Measure, PlanRequirement, PlanRuleSet
from plans.services import NeedInput
from tests.factories import CategoryFactory, ChildFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _plan(users, child, kind="general", **kw):
    data = {
        "user": users.director,
        "child": child,
        "kind": kind,
        "opened_on": TODAY,
        "lead": users.director,
        "needs": [NeedInput(description="辍学在家")],
    }
    data.update(kw)
    return services.plan_create(**data)


def _missing(client, user):
    client.force_login(user)
    page = client.get(reverse("plans:missing"))
    assert page.status_code == 200
    return {c.name for c in page.context["rows"]}


@pytest.fixture
def kids(tree):
    """Hand-made: in v1 a red, an orange, a high-risk, a yellow and a closed red archive; a red child in v3 (the other
    township) and in v4 (the other county)."""
    return {
        "red": ChildFactory(village=tree.v1, name="红一", colour="red"),
        "orange": ChildFactory(village=tree.v1, name="橙一", colour="orange"),
        "high": ChildFactory(village=tree.v1, name="高危", colour="yellow", risk_grade="high"),
        "yellow": ChildFactory(village=tree.v1, name="黄一", colour="yellow", risk_grade="medium"),
        "closed": ChildFactory(village=tree.v1, name="已销档", colour="red", status="closed"),
        "red_t2": ChildFactory(village=tree.v3, name="红二", colour="red"),
        "red_b": ChildFactory(village=tree.v4, name="红三", colour="red"),
    }


def test_a_red_child_without_a_plan_is_listed_for_its_director_supervisor_and_county(client, users, kids):
    assert _missing(client, users.director) == {"红一", "橙一", "高危"}
    assert _missing(client, users.supervisor) == {"红一", "橙一", "高危"}
    assert _missing(client, users.county_staff) == {"红一", "橙一", "高危", "红二"}
    assert _missing(client, users.other_county_staff) == {"红三"}
    _plan(users, kids["red"])
    assert _missing(client, users.director) == {"橙一", "高危"}
    # Who saw which child is logged (names on a list are a read of each archive).
    assert AccessLog.objects.filter(user=users.director, child=kids["orange"]).exists()
    client.force_login(users.liaison)
    assert client.get(reverse("plans:missing")).status_code == 404


def test_the_missing_list_has_a_fixed_number_of_queries(client, users, tree, django_assert_max_num_queries):
    for i in range(3):
        ChildFactory(village=tree.v1, name=f"红{i}", colour="red")
    client.force_login(users.county_staff)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("plans:missing"))
    for i in range(12):
        ChildFactory(village=tree.v2 if i % 2 else tree.v3, name=f"再红{i}", colour="red")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(reverse("plans:missing")).context["rows"]) == 15


def test_a_regions_own_rule_set_replaces_the_default_in_its_subtree(client, users, tree, kids):
    """A county asking plans of red children only: its orange and high-risk children drop off the list; the other
    county keeps the default."""
    own = PlanRuleSet.objects.create(name="平度市帮扶方案规则", area=tree.county, source="local choice")
    PlanRequirement.objects.create(rule_set=own, description="红色儿童", source="local choice", colours="red")
    assert _missing(client, users.county_staff) == {"红一", "红二"}
    orange_b = ChildFactory(village=tree.v4, name="橙三", colour="orange")
    assert _missing(client, users.other_county_staff) == {"红三", orange_b.name}


def test_missing_plans_are_reminded_weekly_to_directors_and_the_county(users, kids):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday())
    reminders.daily(today=monday - DAY)  # a Sunday: not the day of this reminder
    assert not Notification.objects.filter(key__startswith="plans-missing:").exists()
    reminders.daily(today=monday)
    reminders.daily(today=monday)  # run twice: written once
    year, week, _ = monday.isocalendar()
    key = f"plans-missing:{year}-W{week:02d}"
    notes = {n.user.username: n.title for n in Notification.objects.filter(key=key).select_related("user")}
    assert set(notes) == {"director", "county_staff", "other_county"}
    assert "3" in notes["director"] and "4" in notes["county_staff"] and "1" in notes["other_county"]
    reminders.daily(today=monday + 7 * DAY)
    assert Notification.objects.filter(user=users.director, key__startswith="plans-missing:").count() == 2


def test_a_dropout_needs_a_return_to_school_plan_with_the_schools_follow_up(client, users, tree):
    dropout = ChildFactory(village=tree.v1, name="辍学生", colour="green")
    CategoryFactory(child=dropout, category="dropout")
    by_enrolment = ChildFactory(village=tree.v1, name="未入学", colour="green", enrolment="dropped_out")
    assert _missing(client, users.director) == {"辍学生", "未入学"}
    # A general plan does not answer for a dropout.
    _plan(users, dropout, kind="general")
    assert _missing(client, users.director) == {"辍学生", "未入学"}
    page = client.get(reverse("children:detail", args=[dropout.pk]))
    assert page.context["help_plans_section"].missing
    assert "004 §10" in page.content.decode()
    # The return-to-school plan names the school and its responsible teacher.
    with pytest.raises(ValidationError):
        _plan(users, by_enrolment, kind="return_to_school", school="平度市第一中学")
    plan = _plan(users, by_enrolment, kind="return_to_school", school="平度市第一中学", school_contact="李老师")
    assert _missing(client, users.director) == {"辍学生"}
    follow_up = Measure.objects.get(plan=plan)
    assert follow_up.owner_kind == "organisation" and follow_up.owner_name == "平度市第一中学"
    assert follow_up.due_on == TODAY + 30 * DAY and "004 §10" in follow_up.description
    # Reminded to the plan's responsible person when due, like any measure.
    reminders.daily(today=TODAY + 29 * DAY)
    assert Notification.objects.filter(user=users.director, key=f"plan-measure-soon:{follow_up.pk}:{follow_up.due_on}")
    # The review records the return to school.
    review = services.review_create(
        user=users.director,
        plan=plan,
        reviewed_on=TODAY,
        decision="continue",
        progress={},
        back_to_school_on=TODAY,
    )
    plan.refresh_from_db()
    assert review.decision == "continue" and plan.back_to_school_on == TODAY


def test_a_plan_form_for_a_dropout_starts_as_a_return_to_school_plan(client, users, tree):
    dropout = ChildFactory(village=tree.v1, name="辍学生", colour="green")
    CategoryFactory(child=dropout, category="dropout")
    client.force_login(users.director)
    page = client.get(reverse("children:detail", args=[dropout.pk]))
    link = reverse("plans:new", args=[dropout.pk]) + "?kind=return_to_school"
    assert link in page.content.decode()
    assert client.get(link).context["form"].initial["kind"] == "return_to_school"
    assert not HelpPlan.objects.exists()


def test_the_rules_are_data_an_administrator_edits(admin_client):
    default = PlanRuleSet.objects.get(prefix="")
    assert {r.source for r in default.requirements.all()} == {"系统默认", "004 §10"}
    school = default.requirements.get(category_mask__gt=0)
    assert school.plan_kind == "return_to_school" and not school.is_local_choice
    assert default.requirements.get(colours="red,orange").is_local_choice  # the system's choice, said so
    assert admin_client.get(reverse("admin:plans_planruleset_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:plans_planruleset_change", args=[default.pk])).status_code == 200
