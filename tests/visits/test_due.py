"""Where "overdue", "due soon" and "escalated" end, one definition (visits.rules) seen through every reader: the
schedule queryset, the raw SQL of reminders and dashboards, and the status a page shows. The schedule rows are made
by hand with the due dates typed in (not computed by the schedule refresh).
"""

import datetime
import re

import pytest
from django.db import connection

from dashboards import selectors as dashboard_selectors
from tests.factories import ChildFactory
from visits import reminders, rules
from visits.models import VisitSchedule, due_sql

TODAY = datetime.date(2026, 11, 23)
# Days from TODAY to the due date (None: no rule applies) and the child's name.
NAMES = {-31: "赵一", -30: "钱二", -1: "孙三", 0: "李四", 7: "周五", 8: "吴六", None: "郑七"}


@pytest.fixture
def due(tree):
    """The children of village v1 by days to their due date."""
    out = {}
    for days, name in NAMES.items():
        child = ChildFactory(village=tree.v1, name=name)
        due_on = None if days is None else TODAY + datetime.timedelta(days=days)
        VisitSchedule.objects.create(child=child, village=tree.v1, due_on=due_on, home_due_on=due_on, home_days=30)
        out[days] = child.pk
    return out


def days_of(due: dict, child_ids) -> set:
    by_id = {pk: days for days, pk in due.items()}
    return {by_id[pk] for pk in child_ids}


def test_the_querysets_boundaries(due):
    rows = VisitSchedule.objects
    assert days_of(due, rows.overdue(TODAY).values_list("child_id", flat=True)) == {-31, -30, -1}  # today: not
    assert days_of(due, rows.overdue(TODAY, min_days=30).values_list("child_id", flat=True)) == {-31, -30}
    assert days_of(due, rows.escalated(TODAY).values_list("child_id", flat=True)) == {-31}  # 30 days: not yet
    assert days_of(due, rows.due_soon(TODAY).values_list("child_id", flat=True)) == {0, 7}  # in 8 days: not
    assert days_of(due, rows.to_visit(TODAY).values_list("child_id", flat=True)) == {-31, -30, -1, 0, 7}
    assert days_of(due, rows.not_overdue(TODAY).values_list("child_id", flat=True)) == {0, 7, 8, None}


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (-31, ("overdue", 31)),
        (-30, ("overdue", 30)),
        (-1, ("overdue", 1)),
        (0, ("due_soon", 0)),
        (7, ("due_soon", 0)),
        (8, ("on_time", 0)),
        (None, ("no_rule", 0)),
    ],
)
def test_the_status_shown(days, status):
    due_on = None if days is None else TODAY + datetime.timedelta(days=days)
    assert rules.status_for(due_on, TODAY) == status


@pytest.mark.parametrize("name", ["overdue", "due_soon", "to_visit", "escalated", "within_interval"])
def test_raw_sql_selects_what_the_queryset_does(due, name):
    due_range = getattr(rules, name)(TODAY)
    table = VisitSchedule._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT s.child_id FROM {table} s WHERE {due_sql(due_range, 's.due_on')}")
        raw = {row[0] for row in cursor.fetchall()}
    assert raw == set(VisitSchedule.objects.due_in(due_range).values_list("child_id", flat=True))
    assert raw  # each range holds some of the hand-made rows


def test_reminders_and_escalations_at_the_boundaries(users, due):
    notes = {n.user_id: n for n in reminders.daily_sweep(today=TODAY, dry_run=True)["notifications"]}
    director = notes[users.director.pk]
    assert [int(n) for n in re.findall(r"\d+", director.title)][:2] == [3, 2]  # overdue (-31, -30, -1), soon (0, 7)
    assert all(NAMES[d] in director.body for d in (-31, -30, -1, 0, 7))
    assert NAMES[8] not in director.body and NAMES[None] not in director.body
    county = notes[users.county_staff.pk]
    assert NAMES[-31] in county.body and NAMES[-30] not in county.body  # 31 days overdue is escalated, 30 is not
    assert county.url.endswith("?min_days=31")


def test_the_weekly_digest_counts_at_the_boundaries(users, due):
    from accounts.models import Notification

    reminders.weekly_digest(today=TODAY)
    note = Notification.objects.get(user=users.supervisor)
    assert [int(n) for n in re.findall(r"\d+", note.title)][:3] == [3, 1, 2]  # overdue, villages, due soon


def test_the_dashboard_counts_and_lists_at_the_boundaries(users, tree, due):
    board = dashboard_selectors.dashboard(users.supervisor, tree.t1, TODAY)
    assert (board.total["with_rule"], board.total["overdue"], board.total["compliant"]) == (6, 3, 3)
    assert board.total["home_ok"] == 3  # due today, in 7 and in 8 days
    assert [(s.child.name, s.days_overdue) for s in board.overdue] == [("赵一", 31), ("钱二", 30), ("孙三", 1)]
