"""Refreshing the visit schedules of one county, and of everyone, against one hand-written SQL query computing the same
due dates over the same children (issue 14: one county within 3x its reference; issue 20: everyone within 1.5x).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/refresh.py [COUNTY] [ROUNDS]

COUNTY defaults to the county with the most open children. Each round times the reference and the refresh back to
back (the machine is shared: compare the pair, not the absolute times), inside a transaction rolled back afterwards.
"""

import statistics
import sys
import time

import _setup  # noqa: F401
from django.db import connection, transaction

from accounts.models import PREFIX_LENGTH, AreaLevel
from children.models import ArchiveStatus, Child
from visits.models import RuleSet, Visit, VisitRule

CHILD, VISIT = Child._meta.db_table, Visit._meta.db_table
RULE_SET, RULE = RuleSet._meta.db_table, VisitRule._meta.db_table

# The same due dates as visits/schedule.py for children none of whose intervals changed since their last refresh
# (the demo's: every row is fresh), written the plain way: every child matched against every rule, no profiles.
REFERENCE = f"""
CREATE TEMP TABLE ref_due ON COMMIT DROP AS
WITH kids AS (
    SELECT * FROM {CHILD} c WHERE c.status = '{ArchiveStatus.OPEN.value}' AND c.village_id LIKE %(prefix)s
),
last AS (
    SELECT v.child_id, MAX(CASE WHEN v.kind = 'home' THEN v.visit_date END) AS last_home,
           MAX(CASE WHEN v.kind IN ('home', 'contact', 'school') THEN v.visit_date END) AS last_contact
      FROM {VISIT} v {{visit_join}} GROUP BY v.child_id
),
hits AS (
    SELECT c.id, length(rs.prefix) AS depth, r.home_visit_days, r.contact_days
      FROM kids c
      JOIN {RULE_SET} rs ON rs.active AND c.village_id LIKE rs.prefix || '%%'
      JOIN {RULE} r ON r.rule_set_id = rs.id
     WHERE (r.category_mask = 0 OR (c.category_flags & r.category_mask) <> 0)
       AND (r.parent_mask = 0 OR (c.parent_flags & r.parent_mask) <> 0)
       AND (r.risk_grades = ''
            OR (c.risk_grade <> '' AND (',' || r.risk_grades || ',') LIKE '%%,' || c.risk_grade || ',%%'))
       AND (r.colours = '' OR (',' || r.colours || ',') LIKE '%%,' || c.colour || ',%%')
       AND (r.max_disability_grade IS NULL OR c.disability_grade <= r.max_disability_grade)
),
ranked AS (SELECT h.*, MAX(h.depth) OVER (PARTITION BY h.id) AS nearest FROM hits h),
best AS (
    SELECT id, MIN(home_visit_days) AS home_days, MIN(contact_days) AS contact_days
      FROM ranked WHERE depth = nearest GROUP BY id
)
SELECT c.id,
       COALESCE(l.last_home, c.registered_on) + b.home_days AS home_due,
       COALESCE(l.last_contact, c.registered_on) + b.contact_days AS contact_due
  FROM kids c JOIN best b ON b.id = c.id LEFT JOIN last l ON l.child_id = c.id
"""


def reference_sql(everyone: bool) -> str:
    # Some children: only their visits (the index on child_id), as the refresh does; everyone: the whole table.
    join = "" if everyone else "WHERE v.child_id IN (SELECT id FROM kids)"
    return REFERENCE.replace("{visit_join}", join)


def largest_county() -> str:
    n = PREFIX_LENGTH[AreaLevel.COUNTY]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT substr(village_id, 1, {n}) FROM {CHILD} WHERE status = %s GROUP BY 1 ORDER BY COUNT(*) DESC"
            " LIMIT 1",
            [ArchiveStatus.OPEN.value],
        )
        return cursor.fetchone()[0]


def one_round(prefix: str) -> tuple[float, float, int]:
    from visits import schedule

    everyone = prefix == ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        t = time.perf_counter()
        cursor.execute(reference_sql(everyone), {"prefix": prefix + "%"})
        reference = time.perf_counter() - t
        cursor.execute("SELECT COUNT(*) FROM ref_due")
        rows = cursor.fetchone()[0]
        t = time.perf_counter()
        schedule.refresh(area_prefix=prefix or None)
        refresh = time.perf_counter() - t
        transaction.set_rollback(True)
    return reference, refresh, rows


def main() -> None:
    county = (sys.argv[1] if len(sys.argv) > 1 else "") or largest_county()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    for label, prefix, n in ((f"county {county}", county, rounds), ("everyone", "", max(1, rounds // 2))):
        pairs = [one_round(prefix) for _ in range(n)]
        ref = statistics.median(p[0] for p in pairs)
        ref_fresh = statistics.median(p[1] for p in pairs)
        ratios = [p[1] / p[0] for p in pairs]
        print(
            f"{label}: {pairs[0][2]:,} children; reference {ref * 1000:8.1f} ms, refresh {ref_fresh * 1000:8.1f} ms;"
            f" ratio per round {', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})"
        )


if __name__ == "__main__":
    main()
