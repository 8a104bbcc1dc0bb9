"""The daily visit sweep at scale, and the full recomputation of every schedule against one hand-written SQL query
computing the same due dates (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/sweep.py

Prints the reference query's time, the full recomputation's (the weekly check, `schedule.refresh()`) and their
ratio, checks that the reference and the stored schedule agree, then times the daily sweep, which reads the stored
schedules (it recomputes none) and writes the day's notifications.
"""

import datetime
import time

import _setup  # noqa: F401
from django.db import connection, transaction
from django.utils import timezone
from refresh import reference_sql

from accounts.models import Notification
from visits import reminders

# The plain one-statement reference (bench/refresh.py), over every open child.
REFERENCE = reference_sql(everyone=True)

COMPARE = """
SELECT COUNT(*) FROM (
    SELECT id, home_due, contact_due FROM ref_due
    EXCEPT
    SELECT child_id, home_due_on, contact_due_on FROM visits_visitschedule
) AS d
"""


def main() -> None:
    from visits import schedule

    # Today's sweep, as beat runs it (a date in the future would close every archive turning 18 before it): the
    # day's visit notifications are removed first and afterwards, so that each run writes them anew.
    today = timezone.localdate()
    day_keys = [f"visits-due:{today}", f"visits-escalated:{today}"]
    Notification.objects.filter(key__in=day_keys).delete()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        t = time.perf_counter()
        cursor.execute(REFERENCE, {"prefix": "%"})
        reference = time.perf_counter() - t
        cursor.execute("SELECT COUNT(*) FROM ref_due")
        ref_rows = cursor.fetchone()[0]
        t = time.perf_counter()
        schedule.refresh()
        full = time.perf_counter() - t
        cursor.execute(COMPARE)
        mismatches = cursor.fetchone()[0]
    t = time.perf_counter()
    result = reminders.daily_sweep(today=today)
    sweep = time.perf_counter() - t
    again = time.perf_counter()
    reminders.daily_sweep(today=today)
    again = time.perf_counter() - again
    written = Notification.objects.filter(key__in=day_keys).count()
    Notification.objects.filter(key__in=day_keys).delete()
    print(f"reference query (due dates of {ref_rows:,} children): {reference:6.1f} s")
    print(f"full recomputation of every schedule (the weekly check): {full:6.1f} s")
    print(f"ratio full recomputation / reference: {full / reference:.2f}")
    print(f"daily sweep (stored schedules, {written:,} notifications): {sweep:6.1f} s  {result}")
    print(f"second sweep the same day (idempotent, writes nothing new): {again:6.1f} s")
    print(f"children whose due dates differ between the reference and the schedule: {mismatches}")
    sweep_days_ahead(today, (1, 2, 3))


def sweep_days_ahead(today, days, label: str = "") -> None:
    """What beat's sweep costs on an ordinary day once the first run has been made: each of `days` after `today`
    swept in a transaction rolled back, so the database is left as it was."""
    for ahead in days:
        day = today + datetime.timedelta(days=ahead)
        with transaction.atomic():
            t = time.perf_counter()
            result = reminders.daily_sweep(today=day)
            took = time.perf_counter() - t
            transaction.set_rollback(True)
        print(f"daily sweep of {day}{label} (rolled back): {took:6.1f} s  {result}", flush=True)


if __name__ == "__main__":
    main()
