"""A year of visit history for the demo children, at realistic frequencies.

Monthly home visits for children whose rules ask for them (orphans, de facto unsupported, poor guardianship,
dropouts, seriously ill …), about quarterly for the others, plus a couple of phone contacts; some children are
left overdue. On PostgreSQL the rows are generated inside the database (generate_series), which writes about
6,000,000 visits for 1,000,000 children in well under a minute; elsewhere they are generated in Python.
"""

import datetime
import random

from django.db import connection, transaction
from django.utils import timezone

from children.categories import CATEGORY_BITS
from children.models import Child
from demo.children import BulkWriter
from visits import schedule
from visits.models import Visit

MONTHLY = sum(
    CATEGORY_BITS[c]
    for c in (
        "orphan_scattered",
        "de_facto_unsupported",
        "poor_guardianship",
        "dropout",
        "seriously_ill",
        "vagrancy_history",
    )
)
VISIT_FIELDS = [
    "child",
    "kind",
    "visited_at",
    "visit_date",
    "met_whom",
    "channel",
    "living_conditions",
    "safety_hazards",
    "caregiver_status",
    "mood",
    "study",
    "health",
    "parents_contacted",
    "observations",
    "problems_found",
    "help_given",
    "follow_up_needed",
    "follow_up",
    "harm_found",
    "household_key",
    "created_by",
    "created_at",
]

# The visits of the generated days `d` (id, kind, day): ordinary findings, written at 10:00 Beijing time.
INSERT_DAYS = """
INSERT INTO visits_visit (child_id, kind, visited_at, visit_date, met_whom, channel, living_conditions,
                          safety_hazards, caregiver_status, mood, study, health, parents_contacted, observations,
                          problems_found, help_given, follow_up_needed, follow_up, harm_found, household_key,
                          created_by_id, created_at)
SELECT d.id, d.kind, (d.day + time '10:00') AT TIME ZONE 'Asia/Shanghai', d.day, '监护人',
       CASE WHEN d.kind = 'contact' THEN 'phone' ELSE '' END, 'good', '无', 'good', 'good', 'good', 'good', true,
       '', '', '', false, '', false, '', NULL,
       (d.day + time '18:00') AT TIME ZONE 'Asia/Shanghai'
  FROM d
"""

_PG_SQL = (
    """
WITH p AS (
    SELECT c.id,
           GREATEST(20, ((CASE WHEN (c.category_flags & %(monthly)s) <> 0 THEN 30 ELSE 90 END)
                         * (0.75 + random() * 0.4)))::int AS gap,
           random() * 1.25 AS start_frac
      FROM children_child c
     WHERE c.status = 'open' AND c.id >= %(first_id)s
),
d AS (
    SELECT p.id, 'home' AS kind, (%(today)s::date - (p.start_frac * p.gap)::int - g * p.gap) AS day
      FROM p, generate_series(0, 20) AS g
     WHERE (p.start_frac * p.gap)::int + g * p.gap <= %(days)s
    UNION ALL
    SELECT p.id, 'contact', (%(today)s::date - (random() * %(days)s)::int)
      FROM p, generate_series(1, 2) AS g
     WHERE random() < 0.8
)
"""
    + INSERT_DAYS
)


def seed_visits(*, first_child_id: int = 0, days: int = 365, seed: int = 2024) -> int:
    today = timezone.localdate()
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
            cursor.execute(_PG_SQL, {"monthly": MONTHLY, "first_id": first_child_id, "today": today, "days": days})
            made = cursor.rowcount
    else:
        made = _seed_in_python(first_child_id=first_child_id, days=days, seed=seed, today=today)
    from demo.children import analyze

    analyze()
    schedule.refresh()
    analyze()
    return made


def _seed_in_python(*, first_child_id: int, days: int, seed: int, today: datetime.date) -> int:
    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    rows = []
    children = Child.objects.filter(status="open", pk__gte=first_child_id).values_list("pk", "category_flags")
    for pk, flags in children.iterator():
        gap = max(20, int((30 if flags & MONTHLY else 90) * (0.75 + rng.random() * 0.4)))
        offset = int(rng.random() * 1.25 * gap)
        dates = [
            ("home", today - datetime.timedelta(days=offset + g * gap)) for g in range(21) if offset + g * gap <= days
        ]
        dates += [
            ("contact", today - datetime.timedelta(days=rng.randint(0, days))) for _ in range(2) if rng.random() < 0.8
        ]
        for kind, day in dates:
            at = datetime.datetime.combine(day, datetime.time(10), tz)
            rows.append(
                (
                    pk,
                    kind,
                    at,
                    day,
                    "监护人",
                    "phone" if kind == "contact" else "",
                    "good",
                    "无",
                    "good",
                    "good",
                    "good",
                    "good",
                    True,
                    "",
                    "",
                    "",
                    False,
                    "",
                    False,
                    "",
                    None,
                    at + datetime.timedelta(hours=8),
                )
            )
    writer = BulkWriter()
    with transaction.atomic():
        writer.write(Visit, VISIT_FIELDS, rows)
    return len(rows)
