"""Writes of the dashboards app: the monthly compliance snapshot, set-based (one statement per month)."""

import calendar
import datetime

from django.db import connection, transaction
from django.utils import timezone

from visits import rules
from visits.models import due_sql
from visits.schedule import CHILD, OPEN, SCHEDULE, add_days_sql, due_under_sql, last_visits_sql, recent_since

from .models import ComplianceSnapshot

SNAPSHOT = ComplianceSnapshot._meta.db_table


def month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(today: datetime.date) -> datetime.date:
    first = today.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def _snapshot_sql(as_of: datetime.date) -> str:
    """Per village, as of a date: the open children registered by then, those with a visit rule, and those whose
    last home visit / last contact on or before that date (or their registration, if none) was within their
    rule's interval. The intervals are today's (the stored schedule's): rules are data that rarely change, and
    children whose archive has been closed since are not counted (see README, dashboards)."""
    ok = rules.within_interval(as_of)  # the due date as of then, not overdue
    # The due dates as the schedule counts them (visits.rules.due_under: a stricter interval in force since a change
    # counts from the change), from the last visits on or before that date.
    home_due = due_under_sql(
        add_days_sql("COALESCE(l.last_home, c.registered_on)", "s.home_days"),
        "s.home_days",
        "s.home_since",
        "s.home_cap",
    )
    contact_due = due_under_sql(
        add_days_sql("COALESCE(l.last_contact, c.registered_on)", "s.contact_days"),
        "s.contact_days",
        "s.contact_since",
        "s.contact_cap",
    )
    home_ok = f"s.home_days IS NOT NULL AND {due_sql(ok, home_due)}"
    contact_ok = f"s.contact_days IS NOT NULL AND {due_sql(ok, contact_due)}"
    with_rule = "(s.home_days IS NOT NULL OR s.contact_days IS NOT NULL)"
    compliant = f"{with_rule} AND (s.home_days IS NULL OR ({home_ok})) AND (s.contact_days IS NULL OR ({contact_ok}))"
    day = f"'{as_of.isoformat()}'"
    # The last visits on or before that date: those since recent_since for everyone, earlier years only for the
    # children without one since (the visits' year partitions after `as_of` are never read, earlier ones rarely).
    # The WITH after INSERT INTO: SQLite counts the rows written only for a statement that starts with INSERT.
    return f"""
INSERT INTO {SNAPSHOT} (month, village_id, children, with_rule, home_ok, contact_ok, compliant,
                                           taken_at)
WITH target AS (
    SELECT c.id FROM {CHILD} c WHERE c.status = {OPEN} AND c.registered_on <= {day}
),
{last_visits_sql(recent_since(as_of), until=as_of)}
SELECT %s, c.village_id, COUNT(*),
       SUM(CASE WHEN {with_rule} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {home_ok} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {contact_ok} THEN 1 ELSE 0 END),
       SUM(CASE WHEN {compliant} THEN 1 ELSE 0 END),
       %s
  FROM {CHILD} c
  JOIN {SCHEDULE} s ON s.child_id = c.id
  LEFT JOIN last l ON l.child_id = c.id
 WHERE c.status = {OPEN} AND c.registered_on <= {day}
 GROUP BY c.village_id
"""


@transaction.atomic
def snapshot_month(*, month: datetime.date, today: datetime.date | None = None) -> int:
    """(Re)write the month's snapshot rows of every village; safe to run again. Returns the number of villages.

    The figures are as of the month's last day (or today, for the running month)."""
    today = today or timezone.localdate()
    month = month.replace(day=1)
    as_of = min(month_end(month), today)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")
        ComplianceSnapshot.objects.filter(month=month).delete()
        params = [month, timezone.now()]  # the month and taken_at (the dates are in the statement)
        cursor.execute(_snapshot_sql(as_of), params)
        return cursor.rowcount


def backfill(*, months: int, today: datetime.date | None = None) -> list[tuple[datetime.date, int]]:
    """Snapshot the `months` full months before today's month (oldest first)."""
    from .selectors import month_starts

    today = today or timezone.localdate()
    return [(m, snapshot_month(month=m, today=today)) for m in month_starts(today, months)]


def refresh_village_figures(*, today: datetime.date | None = None) -> int:
    """Keep the stored per-village figures current (beat, every few minutes): every village once the date has
    changed since they were computed (visit compliance depends on the date), else the villages writes marked stale.
    Returns the villages recomputed."""
    from . import figures
    from .models import VillageFigures

    today = today or timezone.localdate()
    if VillageFigures.objects.filter(as_of__lt=today).exists() or not VillageFigures.objects.exists():
        return figures.refresh(today=today)
    return figures.refresh_stale(today=today)
