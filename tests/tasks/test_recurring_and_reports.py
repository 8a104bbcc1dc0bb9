import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Notification, Role
from tasks import reminders, rules, services
from tasks.models import Assignment, Plan, YearlyReport
from tests.factories import UserFactory


def test_periods_cross_the_year_boundary():
    got = rules.periods("quarterly", 2024, 2026, datetime.date(2025, 1, 10))
    assert [(p.start.isoformat(), p.end.isoformat()) for p in got[-2:]] == [
        ("2024-10-01", "2024-12-31"),
        ("2025-01-01", "2025-03-31"),
    ]
    assert len(rules.periods("monthly", 2024, 2026, datetime.date(2025, 1, 10))) == 13
    assert len(rules.periods("yearly", 2024, 2026, datetime.date(2030, 1, 1))) == 3  # stops at the plan's end
    assert rules.periods("", 2024, 2026, datetime.date(2025, 1, 1)) == []


@pytest.fixture
def quarterly(plans, qd_education):
    a = Assignment.objects.filter(department=qd_education, task__action__plan__seed="000").first()
    a.task.recurrence, a.task.recurrence_min_count = "quarterly", 1
    a.task.save()
    return a


def test_a_quarter_without_a_record_shows_as_missed_after_new_year(client, edu_liaison, quarterly):
    url = reverse("tasks:assignment", args=[quarterly.pk])
    client.force_login(edu_liaison)
    with time_machine.travel(datetime.datetime(2025, 12, 20, 4, tzinfo=datetime.UTC)):
        periods = client.get(url).context["periods"]
        assert periods[0]["period"].start == datetime.date(2025, 10, 1) and periods[0]["status"] == "open"
        assert periods[1]["status"] == "missed"  # Q3 2025 ended without a record
        response = client.post(
            url,
            {
                "period_start": "2025-10-01",
                "done_on": "2025-12-18",
                "place": "市实验小学",
                "children_reached": 40,
                "guardians_reached": 25,
                "note": "安全教育讲座",
            },
        )
        assert response.status_code == 302
    with time_machine.travel(datetime.datetime(2026, 1, 5, 4, tzinfo=datetime.UTC)):
        client.force_login(edu_liaison)  # the idle session of December has expired
        periods = client.get(url).context["periods"]
        assert periods[0]["period"].start == datetime.date(2026, 1, 1) and periods[0]["status"] == "open"
        assert periods[1]["period"].start == datetime.date(2025, 10, 1) and periods[1]["status"] == "done"
        # A record dated outside its period, or in the future, is refused and nothing is written.
        with pytest.raises(ValidationError):
            services.period_record_create(
                user=edu_liaison,
                assignment=quarterly,
                period_start=datetime.date(2025, 7, 1),
                done_on=datetime.date(2025, 12, 1),
            )
        assert quarterly.period_records.count() == 1


def test_another_department_cannot_record_or_even_see_the_assignment(client, police_liaison, quarterly):
    client.force_login(police_liaison)
    url = reverse("tasks:assignment", args=[quarterly.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"period_start": "2024-01-01", "done_on": "2024-01-02"}).status_code == 404
    assert not quarterly.period_records.exists()


@pytest.fixture
def putuo(plans, users):
    plan = Plan.objects.get(seed="003")
    depts = list(plan.actions.first().tasks.first().assignments.values_list("department", flat=True))
    liaisons = [UserFactory(role=Role.LIAISON, department_id=d) for d in depts[:2]]
    from accounts.models import Area

    staff = UserFactory(role=Role.CIVIL_AFFAIRS, areas=[Area.objects.get(code="330903")])
    return plan, liaisons, staff


def test_report_reminders_14_and_3_days_before_then_escalation(putuo):
    plan, (first, second), staff = putuo
    assert plan.report_deadline == "11-15"
    YearlyReport.objects.create(plan=plan, department=second.department, year=2025, summary="已报送")
    reminders.report_reminders(today=datetime.date(2025, 10, 30))  # 16 days before: nothing yet
    assert not Notification.objects.exists()
    reminders.report_reminders(today=datetime.date(2025, 11, 1))  # 14 days before
    reminders.report_reminders(today=datetime.date(2025, 11, 2))  # same stage: nothing new
    assert list(Notification.objects.values_list("user_id", flat=True)) == [first.pk]
    reminders.report_reminders(today=datetime.date(2025, 11, 12))  # 3 days before
    assert Notification.objects.filter(user=first).count() == 2
    assert not Notification.objects.filter(user=second).exists()  # already submitted
    reminders.report_reminders(today=datetime.date(2025, 11, 16))
    reminders.report_reminders(today=datetime.date(2025, 11, 17))
    escalation = Notification.objects.get(user=staff)
    assert first.department.name in escalation.body and second.department.name not in escalation.body


def test_a_liaison_submits_the_yearly_report_once(client, putuo):
    plan, (first, _second), _staff = putuo
    client.force_login(first)
    url = reverse("tasks:report", args=[plan.pk])
    assert client.post(url, {"summary": "全年开展法治宣传12场"}).status_code == 302
    response = client.post(url, {"summary": "再交一次"})
    assert response.status_code == 200 and YearlyReport.objects.count() == 1


def test_the_timeline_lists_phases_and_milestones_in_order(client, users, plans):
    plan = Plan.objects.get(seed="003")
    client.force_login(users.county_staff)
    items = client.get(reverse("tasks:timeline", args=[plan.pk])).context["items"]
    dates = [i["date"] for i in items if i["date"]]
    assert dates == sorted(dates) and any(i["kind"] == "milestone" for i in items)
    assert any(i["title"] == "巩固提升" for i in items)
