"""The weekly check finds a planted difference between a stored schedule and the visit history, and none
otherwise; the daily sweep no longer recomputes the schedules (issue 20)."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from tests.factories import CategoryFactory, ChildFactory
from visits import reminders, schedule, schedule_check
from visits.models import Visit, VisitSchedule

TODAY = datetime.date(2026, 11, 23)


def _child(village, days_ago):
    """A Qingdao scattered orphan (a home visit every 30 days, hand-checked in test_reminders) visited days ago."""
    child = ChildFactory(village=village, registered_on=datetime.date(2025, 1, 1))
    CategoryFactory(child=child, category="orphan_scattered")
    day = TODAY - datetime.timedelta(days=days_ago)
    at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    Visit.objects.create(child=child, kind="home", visited_at=at, visit_date=day)
    return child


def test_none_found_when_the_stored_rows_agree(tree):
    _child(tree.v1, 10)
    _child(tree.v2, 40)
    schedule.refresh()
    result = schedule_check.check()
    assert result.ok and result.differing == [] and result.closed_with_row == []


def test_a_planted_difference_is_found_not_fixed_then_fixed(tree, capsys):
    a, b = _child(tree.v1, 10), _child(tree.v2, 40)
    schedule.refresh()
    right = VisitSchedule.objects.get(child=b).due_on
    assert right == TODAY - datetime.timedelta(days=40) + datetime.timedelta(days=30)  # 30-day rule, by hand
    VisitSchedule.objects.filter(child=b).update(due_on=right + datetime.timedelta(days=365), last_home_on=None)
    a.status = "closed"  # closed behind the schedule's back: its row should be gone
    a.save(update_fields=["status"])

    result = schedule_check.check()
    assert result.differing == [b.pk] and result.closed_with_row == [a.pk]
    assert VisitSchedule.objects.get(child=b).due_on == right + datetime.timedelta(days=365)  # not fixed

    try:
        call_command("check_visit_schedules", "--fix")
    except SystemExit as exc:
        assert exc.code == 1
    assert "1 stored schedules differ" in capsys.readouterr().out
    assert VisitSchedule.objects.get(child=b).due_on == right
    assert not VisitSchedule.objects.filter(child=a).exists()
    assert schedule_check.check().ok


def test_the_daily_sweep_reads_the_stored_schedules_without_recomputing_them(tree, users):
    child = _child(tree.v1, 40)
    schedule.refresh()
    VisitSchedule.objects.filter(child=child).update(due_on=TODAY + datetime.timedelta(days=100))
    reminders.daily_sweep(today=TODAY)
    assert VisitSchedule.objects.get(child=child).due_on == TODAY + datetime.timedelta(days=100)
