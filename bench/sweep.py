"""The daily visit sweep at scale against one hand-written SQL query computing the same due dates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/sweep.py

Prints both times and their ratio, and checks that the reference query and the stored schedule agree.
"""

import datetime
import time

import _setup  # noqa: F401
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Notification
from visits import reminders

REFERENCE = """
CREATE TEMP TABLE ref_due ON COMMIT DROP AS
WITH last AS (
    SELECT child_id, MAX(CASE WHEN kind = 'home' THEN visit_date END) AS last_home,
           MAX(CASE WHEN kind IN ('home', 'contact', 'school') THEN visit_date END) AS last_contact
      FROM visits_visit GROUP BY child_id
),
hits AS (
    SELECT c.id, length(rs.prefix) AS depth, r.home_visit_days, r.contact_days
      FROM children_child c
      JOIN visits_ruleset rs ON rs.active AND c.village_id LIKE rs.prefix || '%'
      JOIN visits_visitrule r ON r.rule_set_id = rs.id
     WHERE c.status = 'open'
       AND (r.category_mask = 0 OR (c.category_flags & r.category_mask) <> 0)
       AND (r.parent_mask = 0 OR (c.parent_flags & r.parent_mask) <> 0)
       AND (r.risk_grades = ''
            OR (c.risk_grade <> '' AND (',' || r.risk_grades || ',') LIKE '%,' || c.risk_grade || ',%'))
       AND (r.colours = '' OR (',' || r.colours || ',') LIKE '%,' || c.colour || ',%')
       AND (r.max_disability_grade IS NULL OR c.disability_grade <= r.max_disability_grade)
),
ranked AS (
    SELECT h.*, MAX(h.depth) OVER (PARTITION BY h.id) AS nearest FROM hits h
),
best AS (
    SELECT id, MIN(home_visit_days) AS home_days, MIN(contact_days) AS contact_days
      FROM ranked WHERE depth = nearest GROUP BY id
)
SELECT c.id,
       COALESCE(l.last_home, c.registered_on) + b.home_days AS home_due,
       COALESCE(l.last_contact, c.registered_on) + b.contact_days AS contact_due
  FROM children_child c JOIN best b ON b.id = c.id LEFT JOIN last l ON l.child_id = c.id
"""

COMPARE = """
SELECT COUNT(*) FROM (
    SELECT id, home_due, contact_due FROM ref_due
    EXCEPT
    SELECT child_id, home_due_on, contact_due_on FROM visits_visitschedule
) AS d
"""


def main() -> None:
    today = timezone.localdate() + datetime.timedelta(days=1000)  # a day with no notifications yet
    Notification.objects.filter(key__endswith=str(today)).delete()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        t = time.perf_counter()
        cursor.execute(REFERENCE)
        reference = time.perf_counter() - t
        cursor.execute("SELECT COUNT(*) FROM ref_due")
        ref_rows = cursor.fetchone()[0]
        reminders.schedule.refresh()
        cursor.execute(COMPARE)
        mismatches = cursor.fetchone()[0]
    t = time.perf_counter()
    result = reminders.daily_sweep(today=today)
    sweep = time.perf_counter() - t
    again = time.perf_counter()
    reminders.daily_sweep(today=today)
    again = time.perf_counter() - again
    written = Notification.objects.filter(key__endswith=str(today)).count()
    Notification.objects.filter(key__endswith=str(today)).delete()
    print(f"reference query (due dates of {ref_rows:,} children): {reference:6.1f} s")
    print(f"daily sweep (refresh every schedule + {written:,} notifications): {sweep:6.1f} s  {result}")
    print(f"ratio sweep / reference: {sweep / reference:.2f}")
    print(f"second sweep the same day (idempotent, writes nothing new): {again:6.1f} s")
    print(f"children whose due dates differ between the reference and the schedule: {mismatches}")


if __name__ == "__main__":
    main()
