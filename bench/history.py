"""Two more years of visit history for the benchmark database, generated inside PostgreSQL (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/history.py [--years 2]

`seed_demo` writes one year of visits (`demo/visits.py`); this adds `--years` earlier years for every open child at
the same frequencies (a home visit every 20–40 days for children whose rules ask for monthly visits, every 68–103
days for the others, and about two phone contacts a year), dated before the oldest year, so the schedules and
today's due dates do not change: only the history the weekly check and the reports read grows. Prints the rows
written and the table's size. Run it once per database: it refuses when visits older than a year already exist.
"""

import argparse
import time

import _setup  # noqa: F401
from django.db import connection, transaction
from django.utils import timezone

from demo.visits import INSERT_DAYS, MONTHLY
from visits.models import Visit

VISIT = Visit._meta.db_table

_SQL = (
    """
WITH p AS (
    SELECT c.id,
           GREATEST(20, ((CASE WHEN (c.category_flags & %(monthly)s) <> 0 THEN 30 ELSE 90 END)
                         * (0.75 + random() * 0.4)))::int AS gap
      FROM children_child c
     WHERE c.status = 'open'
),
d AS (
    SELECT p.id, 'home' AS kind, (%(oldest)s::date - 1 - g * p.gap) AS day
      FROM p, generate_series(0, 60) AS g
     WHERE g * p.gap < %(days)s
    UNION ALL
    SELECT p.id, 'contact', (%(oldest)s::date - 1 - (random() * %(days)s)::int)
      FROM p, generate_series(1, 2 * %(years)s) AS g
     WHERE random() < 0.8
)
"""
    + INSERT_DAYS
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--years", type=int, default=2)
    args = parser.parse_args()
    today = timezone.localdate()
    oldest = today.replace(year=today.year - 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MIN(visit_date) FROM {VISIT}")
        before, first = cursor.fetchone()
    if first is not None and first < oldest:
        raise SystemExit(f"visits from {first} already exist: this database has more than a year of history")
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
        cursor.execute(_SQL, {"monthly": MONTHLY, "oldest": oldest, "days": 365 * args.years, "years": args.years})
        made = cursor.rowcount
    took = time.perf_counter() - t
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {VISIT}")
        cursor.execute(f"SELECT MIN(visit_date), pg_size_pretty(pg_total_relation_size('{VISIT}')) FROM {VISIT}")
        first, size = cursor.fetchone()
    print(f"{made:,} visits written before {oldest} in {took:.1f} s ({before:,} before; history from {first}); {size}")


if __name__ == "__main__":
    main()
