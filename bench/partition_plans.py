"""Which year partitions of the visits (issue 19, config/partitions.py) the app's visit queries read: each query is
built by the app's own code, run under EXPLAIN ANALYZE inside a transaction rolled back afterwards, and its plan
reduced to the partitions it names, those it actually scanned and those PostgreSQL pruned while running.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_hN .venv/bin/python bench/partition_plans.py [--full]

A query reads a year only if the plan scans it; "pruned" lists the partitions left out of the plan (planning time)
or never executed (run time). `--full` prints each plan.
"""

import datetime
import re
import sys

import _setup  # noqa: F401
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Role, User
from children.models import Child
from config import partitions
from dashboards.services import _snapshot_sql, month_end
from guardianship import harm
from visits import schedule, selectors
from visits.models import Visit

TABLE = Visit._meta.db_table
SCAN = re.compile(rf"\bon ({TABLE}_\w+)")


def partitions_of() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = %s::regclass", [TABLE])
        return sorted(row[0] for row in cursor.fetchall())


def explain(sql: str, params) -> list[str]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)  # the refresh and the snapshot write: nothing stays
    return lines


def read(lines: list[str], every: list[str]) -> tuple[list[str], list[str]]:
    """(partitions scanned, partitions in the plan but never executed)."""
    scanned, idle = set(), set()
    for line in lines:
        for name in SCAN.findall(line):
            if name in every:  # not an index's name
                (idle if "never executed" in line else scanned).add(name)
    return sorted(scanned), sorted(idle - scanned)


def short(names) -> str:
    return ", ".join(n.removeprefix(TABLE + "_") for n in names) or "none"


def queries(today: datetime.date):
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    county = User.objects.filter(role=Role.CIVIL_AFFAIRS, is_active=True).order_by("pk").first() or director
    child = Child.objects.filter(visits__isnull=False).order_by("pk").first()
    visit = Visit.objects.filter(child=child).order_by("-visit_date").first()

    def qs(queryset):
        return queryset.query.sql_with_params()

    worklist = selectors.worklist_for(director, today)[:300]
    yield "worklist (director; last visits from the stored schedule)", *qs(worklist)
    yield "archive page: the child's 11 latest visits", *qs(selectors.all_child_visits(child)[:11])
    yield "a visit's page (by id and child, from the URL)", *qs(Visit.objects.filter(pk=visit.pk, child_id=child.pk))
    yield "the child's PDF: 200 latest visits", *qs(child.visits.order_by("-visit_date", "-id")[:200])
    ids = [child.pk]
    where, params = schedule._scope(ids, None)
    key_len = 12
    now = timezone.now()
    yield (
        "schedule refresh, one child (after a visit)",
        *schedule.statement(where, params, key_len, refreshed_at=now, changed_on=today),
    )
    everyone = schedule.statement("", [], key_len, refreshed_at=now, changed_on=today)
    yield "schedule refresh, everyone (nightly)", *everyone
    for month in (datetime.date(2025, 6, 1), today.replace(day=1)):
        as_of = min(month_end(month), today)
        yield f"compliance snapshot of {month:%Y-%m} (dashboards)", _snapshot_sql(as_of), [month, now]
    start, end = selectors.quarter_bounds(today)
    children = Child.objects.filter(status="open", registered_on__lte=end)
    yield (f"on-time rate {start}–{end} (compliance by township)", *selectors.on_time_statement(children, start, end))
    yield "unanswered harm (worklist, county)", *qs(harm.unanswered_harm_for(county)[:100])
    from exchange.models import ChangeProposal

    visited = Visit.objects.filter(
        child=OuterRef("child_id"), kind="home", visit_date__gte=OuterRef("decided_at__date")
    )
    yield (
        "detention reminders: a home visit since the decision",
        *qs(ChangeProposal.objects.annotate(visited=Exists(visited)).values_list("pk", "visited")),
    )


def main() -> None:
    full = "--full" in sys.argv
    assert connection.vendor == "postgresql", "PostgreSQL only"
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, TABLE), "visits not partitioned (migrate visits 0016)"
        cursor.execute(f"SELECT tableoid::regclass::text, COUNT(*) FROM {TABLE} GROUP BY 1 ORDER BY 1")
        sizes = cursor.fetchall()
    every = partitions_of()
    today = timezone.localdate()
    print(f"visits per partition: {', '.join(f'{short([n])} {c}' for n, c in sizes)}; today {today}")
    print("| query | partitions scanned | pruned (planning; run time) |")
    print("|---|---|---|")
    for name, sql, params in queries(today):
        lines = explain(sql, params)
        scanned, idle = read(lines, every)
        named = set(scanned) | set(idle)
        left_out = [p for p in every if p not in named] if named else []
        pruned = f"{short(left_out)}; {short(idle)}" if named else "no visits read"
        print(f"| {name} | {short(scanned) if named else 'none (no visit table)'} | {pruned} |")
        if full:
            print("\n".join("    " + line for line in lines))


if __name__ == "__main__":
    main()
