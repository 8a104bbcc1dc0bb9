"""A help plan's life (issue 18 A): drawn up from a problem, measures in their owners' worklists, reminded and
escalated, reviewed, closed through the region's approval."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from approvals import services as approval_services
from approvals.models import Approval
from children.models import Problem
from guardianship.referrals import referral_send
from plans import reminders, services
from plans.models import HelpPlan, Measure, Need, PlanStatus
from plans.services import NeedInput
from tests.factories import ChildFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def problem(child, users):
    return Problem.objects.create(
        child=child, found_on=TODAY - 3 * DAY, description="孩子长期独自在家，晚饭无人照料", created_by=users.director
    )


def _plan(users, child, **kw):
    data = {
        "user": users.director,
        "child": child,
        "kind": "general",
        "opened_on": TODAY,
        "lead": users.director,
        "needs": [NeedInput(description="晚饭无人照料")],
    }
    data.update(kw)
    return services.plan_create(**data)


def _keys(prefix):
    return set(Notification.objects.filter(key__startswith=prefix).values_list("user__username", "key"))


def test_a_plan_is_drawn_up_from_a_problem_on_the_archive(client, users, child, problem):
    client.force_login(users.director)
    url = reverse("plans:new", args=[child.pk])
    page = client.get(url + f"?problem={problem.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["problem"] == problem.pk
    assert page.context["form"].initial["need"] == "孩子长期独自在家，晚饭无人照料"
    response = client.post(
        url,
        {
            "kind": "general",
            "opened_on": TODAY.isoformat(),
            "lead": users.director.pk,
            "need": "晚饭无人照料",
            "problem": problem.pk,
        },
    )
    plan = HelpPlan.objects.get(child=child)
    assert response.status_code == 302 and response.url == reverse("plans:detail", args=[child.pk, plan.pk])
    need = Need.objects.get(plan=plan)
    assert need.problem == problem and need.description == "晚饭无人照料"
    assert plan.next_review_on == TODAY + 90 * DAY  # the default review, counted by hand
    archive = client.get(reverse("children:detail", args=[child.pk]))
    assert archive.context["help_plans_section"].open_plan == plan
    assert reverse("plans:detail", args=[child.pk, plan.pk]) in archive.content.decode()


def test_a_need_cannot_name_another_childs_record_and_one_plan_is_open_at_a_time(users, child, tree):
    other = ChildFactory(village=tree.v1)
    foreign = Problem.objects.create(child=other, found_on=TODAY, description="别人的问题")
    with pytest.raises(ValidationError):
        _plan(users, child, needs=[NeedInput(description="x", problem=foreign)])
    with pytest.raises(ValidationError):
        _plan(users, child, needs=[])
    _plan(users, child)
    with pytest.raises(ValidationError):
        _plan(users, child)
    assert HelpPlan.objects.filter(child=child).count() == 1


def test_other_areas_may_not_draw_up_or_read_a_plan(client, users, child):
    with pytest.raises(PermissionDenied):
        _plan(users, child, user=users.other_director)
    plan = _plan(users, child)
    url = reverse("plans:detail", args=[child.pk, plan.pk])
    for name in ("other_director", "other_county_staff", "liaison"):
        client.force_login(getattr(users, name))
        assert client.get(url).status_code == 404, name
        assert client.get(reverse("plans:new", args=[child.pk])).status_code == 404, name
    client.force_login(users.supervisor)
    assert client.get(url).status_code == 200
    # The plan must be the child's named in the address.
    client.force_login(users.director)
    assert client.get(reverse("plans:detail", args=[child.pk + 1000, plan.pk])).status_code == 404


def test_measures_are_in_their_owners_worklists(client, users, child):
    plan = _plan(users, child)
    goal = services.goal_add(user=users.director, plan=plan, description="每天有人照料晚饭")
    referral = referral_send(
        user=users.director,
        child=child,
        department=users.department,
        service="family_education",
        reason="家庭教育指导",
        due_on=TODAY + 20 * DAY,
    )
    staff = services.measure_add(
        user=users.director,
        plan=plan,
        goal=goal,
        description="联系在外务工的父母",
        owner_kind="staff",
        owner=users.county_staff,
        due_on=TODAY + 10 * DAY,
    )
    dept = services.measure_add(
        user=users.director,
        plan=plan,
        description="开展家庭教育指导",
        owner_kind="department",
        referral=referral,
        due_on=TODAY + 20 * DAY,
    )
    helper = services.measure_add(
        user=users.director,
        plan=plan,
        description="每周陪伴两次",
        owner_kind="helper",
        owner_name="王老师",
        due_on=TODAY + 5 * DAY,
    )
    shown = {}
    for name in ("county_staff", "liaison", "director", "supervisor"):
        client.force_login(getattr(users, name))
        page = client.get(reverse("visits:worklist"))
        assert page.status_code == 200
        shown[name] = [m.pk for m in page.context["plan_measures"]]
    assert shown == {"county_staff": [staff.pk], "liaison": [dept.pk], "director": [helper.pk], "supervisor": []}
    # The liaison marks the department's measure done from the worklist; an unrelated director may not.
    client.force_login(users.other_director)
    assert client.post(reverse("plans:measure_done", args=[dept.pk]), {"result": "x"}).status_code == 404
    client.force_login(users.liaison)
    landing = client.get(reverse("tasks:mine"))  # the liaison's own page lists the department's measures too
    assert [m.pk for m in landing.context["plan_measures"]] == [dept.pk]
    done = client.post(
        reverse("plans:measure_done", args=[dept.pk]), {"result": "已完成两次家庭教育指导", "next": "tasks"}
    )
    assert done.status_code == 302 and done.url == reverse("tasks:mine")
    dept.refresh_from_db()
    assert dept.done_on == TODAY and dept.result == "已完成两次家庭教育指导"
    assert client.get(reverse("visits:worklist")).context["plan_measures"] == []


def test_a_staff_owner_must_work_in_the_childs_area(users, child):
    plan = _plan(users, child)
    with pytest.raises(ValidationError):
        services.measure_add(
            user=users.director,
            plan=plan,
            description="x",
            owner_kind="staff",
            owner=users.other_county_staff,
            due_on=TODAY,
        )
    with pytest.raises(ValidationError):  # a helper needs a name
        services.measure_add(user=users.director, plan=plan, description="x", owner_kind="helper", due_on=TODAY)
    with pytest.raises(ValidationError):  # due before the plan
        services.measure_add(
            user=users.director,
            plan=plan,
            description="x",
            owner_kind="helper",
            owner_name="王老师",
            due_on=TODAY - DAY,
        )
    assert not Measure.objects.exists()


def test_measures_are_reminded_when_due_and_escalated_to_the_county_when_overdue(users, child, tree):
    plan = _plan(users, child, opened_on=TODAY - 10 * DAY)
    due = TODAY + 2 * DAY
    m = services.measure_add(
        user=users.director, plan=plan, description="联系父母", owner_kind="staff", owner=users.director, due_on=due
    )
    h = services.measure_add(
        user=users.director,
        plan=plan,
        description="每周陪伴",
        owner_kind="helper",
        owner_name="王老师",
        due_on=TODAY + 30 * DAY,
    )
    reminders.daily(today=TODAY - 2 * DAY)  # four days ahead: not yet
    assert not _keys("plan-measure")
    reminders.daily(today=TODAY)
    reminders.daily(today=TODAY + DAY)  # again: written once
    assert _keys("plan-measure") == {("director", f"plan-measure-soon:{m.pk}:{due}")}
    reminders.daily(today=due + DAY)
    assert _keys("plan-measure-overdue") == {
        ("director", f"plan-measure-overdue:{m.pk}:{due}"),
        ("county_staff", f"plan-measure-overdue:{m.pk}:{due}"),
    }
    # The helper's measure goes to the plan's responsible person (the helper has no account).
    reminders.daily(today=TODAY + 28 * DAY)
    assert ("director", f"plan-measure-soon:{h.pk}:{TODAY + 30 * DAY}") in _keys("plan-measure-soon")
    # Done measures and closed plans are not reminded.
    services.measure_done(user=users.director, measure=m)
    Notification.objects.all().delete()
    reminders.daily(today=due + 5 * DAY)
    assert not {k for _u, k in _keys("plan-measure") if f":{m.pk}:" in k}


def test_a_review_records_progress_per_goal_and_sets_the_next_review(client, users, child):
    plan = _plan(users, child, opened_on=TODAY - 30 * DAY, next_review_on=TODAY - DAY)
    g1 = services.goal_add(user=users.director, plan=plan, description="晚饭有人照料")
    g2 = services.goal_add(user=users.director, plan=plan, description="每周与父母视频")
    reminders.daily(today=TODAY)
    assert _keys("plan-review") == {
        ("director", f"plan-review-overdue:{plan.pk}:{TODAY - DAY}"),
        ("county_staff", f"plan-review-overdue:{plan.pk}:{TODAY - DAY}"),
    }
    client.force_login(users.director)
    url = reverse("plans:review_new", args=[child.pk, plan.pk])
    refused = client.post(url, {"reviewed_on": TODAY.isoformat(), "decision": "continue", f"goal_{g1.pk}": "met"})
    assert refused.status_code == 200 and not plan.reviews.exists()  # every goal needs its progress
    client.post(
        url,
        {
            "reviewed_on": TODAY.isoformat(),
            "decision": "change",
            f"goal_{g1.pk}": "met",
            f"goal_{g2.pk}": "some",
            f"goal_{g2.pk}_note": "每两周一次",
            "next_review_on": (TODAY + 60 * DAY).isoformat(),
        },
    )
    review = plan.reviews.get()
    assert review.decision == "change"
    assert {(p.goal_id, p.progress, p.note) for p in review.progress.all()} == {
        (g1.pk, "met", ""),
        (g2.pk, "some", "每两周一次"),
    }
    plan.refresh_from_db()
    assert plan.next_review_on == TODAY + 60 * DAY and plan.is_open


def test_closing_a_plan_waits_for_the_supervisors_approval(client, users, child):
    plan = _plan(users, child, opened_on=TODAY - 30 * DAY)
    g = services.goal_add(user=users.director, plan=plan, description="晚饭有人照料")
    with pytest.raises(ValidationError):  # closing needs a reason
        services.review_create(
            user=users.director, plan=plan, reviewed_on=TODAY, decision="close", progress={g.pk: ("met", "")}
        )
    review = services.review_create(
        user=users.director,
        plan=plan,
        reviewed_on=TODAY,
        decision="close",
        progress={g.pk: ("met", "")},
        close_reason="目标达成，父亲已返乡照料",
    )
    plan.refresh_from_db()
    assert review.approval is not None and plan.status == PlanStatus.OPEN  # proposed: nothing closed yet
    approval = Approval.objects.get(kind="plan_close")
    assert Notification.objects.filter(user=users.supervisor, key=f"approval:{approval.pk}").exists()
    approval_services.approval_approve(user=users.supervisor, approval=approval)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED and plan.closed_on == TODAY
    assert plan.close_reason == "目标达成，父亲已返乡照料"
    assert plan.history.filter(status="open").exists()  # history kept
    # Closed: no more changes, and a new plan may be drawn up.
    with pytest.raises(ValidationError):
        services.goal_add(user=users.director, plan=plan, description="x")
    _plan(users, child)


def test_county_staff_close_a_plan_at_once(users, child):
    plan = _plan(users, child, user=users.county_staff, lead=users.county_staff)
    review = services.review_create(
        user=users.county_staff, plan=plan, reviewed_on=TODAY, decision="close", progress={}, close_reason="已迁出"
    )
    plan.refresh_from_db()
    assert review.approval is None and plan.status == PlanStatus.CLOSED


def test_a_measure_may_name_a_registered_helper_or_organisation_of_the_childs_region(users, child, tree):
    from pairing.models import Helper, Organisation

    plan = _plan(users, child)
    ours = Helper.objects.create(name="王老师", kind="teacher", county=tree.county, from_on=TODAY - 100 * DAY)
    theirs = Helper.objects.create(name="赵老师", kind="teacher", county=tree.other_county, from_on=TODAY - 100 * DAY)
    far = Organisation.objects.create(
        name="天津某社工机构",
        kind="social_work",
        county=_area("120116", "滨海新区", "county"),
        registration_number="12120116MB0000000X",
        services="个案服务",
        service_area="滨海新区",
        from_on=TODAY - 100 * DAY,
    )
    m = services.measure_add(
        user=users.director, plan=plan, description="每周陪伴", owner_kind="helper", helper=ours, due_on=TODAY
    )
    assert m.helper == ours and m.owner_name == "王老师"
    with pytest.raises(ValidationError):
        services.measure_add(
            user=users.director, plan=plan, description="x", owner_kind="helper", helper=theirs, due_on=TODAY
        )
    with pytest.raises(ValidationError):
        services.measure_add(
            user=users.director, plan=plan, description="x", owner_kind="organisation", organisation=far, due_on=TODAY
        )
    assert Measure.objects.filter(plan=plan).count() == 1


def _area(code, name, level):
    from tests.factories import area

    return area(code, name, level)


def test_the_plan_page_has_a_fixed_number_of_queries(client, users, child, django_assert_max_num_queries):
    plan = _plan(users, child)
    client.force_login(users.director)
    url = reverse("plans:detail", args=[child.pk, plan.pk])

    def grow(n):
        for i in range(n):
            g = services.goal_add(user=users.director, plan=plan, description=f"目标{i}")
            services.measure_add(
                user=users.director,
                plan=plan,
                goal=g,
                description=f"措施{i}",
                owner_kind="staff",
                owner=users.county_staff,
                due_on=TODAY + DAY,
            )
        goals = {g.pk: ("some", "") for g in plan.goals.all()}
        services.review_create(user=users.director, plan=plan, reviewed_on=TODAY, decision="continue", progress=goals)

    grow(1)
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    grow(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert len(page.context["measures"]) == 6 and len(page.context["reviews"]) == 2


@pytest.mark.parametrize("name", ["need_new", "goal_new", "measure_new", "review_new"])
def test_the_plans_forms_are_not_found_outside_the_childs_area_and_read_only_for_liaisons(client, users, child, name):
    plan = _plan(users, child)
    url = reverse(f"plans:{name}", args=[child.pk, plan.pk])
    for outsider in ("other_director", "other_county_staff", "liaison"):
        client.force_login(getattr(users, outsider))
        assert client.get(url).status_code == 404, outsider
        assert client.post(url, {}).status_code == 404, outsider
    client.force_login(users.director)
    assert client.get(url).status_code == 200
    assert client.get(reverse(f"plans:{name}", args=[child.pk, plan.pk + 1000])).status_code == 404


def test_a_closed_plan_is_read_only(client, users, child):
    plan = _plan(users, child, user=users.county_staff, lead=users.county_staff)
    services.review_create(
        user=users.county_staff, plan=plan, reviewed_on=TODAY, decision="close", progress={}, close_reason="已迁出"
    )
    client.force_login(users.director)
    page = client.get(reverse("plans:detail", args=[child.pk, plan.pk]))
    assert page.status_code == 200 and not page.context["can_edit"]
    refused = client.post(reverse("plans:goal_new", args=[child.pk, plan.pk]), {"description": "新目标"})
    assert refused.status_code == 200 and "该方案已结案" in refused.content.decode()
    assert not plan.goals.exists()
