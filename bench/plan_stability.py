"""Do the hot pages' query plans stay fast whatever statistics the planner has? (issue 20)

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/plan_stability.py [rounds]

Records every SELECT that the hot pages send (the worklist opened by the county, city and province users, the
province's children list filtered by a category, the overdue list), then replays each one under EXPLAIN ANALYZE in
several states of the planner's statistics:

- "no statistics": the tables' rows in pg_statistic removed, as right after a bulk load before autovacuum's ANALYZE
  (run as a superuser; the statistics are rebuilt by the next scenario);
- ANALYZE with a small sample (default_statistics_target 10), which is what makes sampled plans flip;
- `rounds` fresh ANALYZEs at the default target, each drawing a new random sample;
- ANALYZE with a large sample (1000).

For each page it prints the slowest statement's execution time and plan root in each state. The worklist's statement
must walk `schedule_due_idx` in due-date order and stop at the page size in every state.
"""

import json
import sys

import _setup  # noqa: F401
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from children.models import Child
from visits.models import Visit, VisitSchedule

TABLES = [Child._meta.db_table, VisitSchedule._meta.db_table, Visit._meta.db_table]
PAGES = [
    ("county", "/visits/worklist/"),
    ("city", "/visits/worklist/"),
    ("province", "/visits/worklist/"),
    ("county", "/visits/overdue/"),
    ("province", "/children/?category=orphan_scattered&sort=colour"),
]


def statements(username: str, url: str) -> list[str]:
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get(url)  # warm-up (sessions, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


def explain(sql: str) -> tuple[float, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    root = plan[0]["Plan"]
    node = root
    shape = []
    while node and len(shape) < 4:
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" {node['Index Name']}"
        shape.append(label)
        node = (node.get("Plans") or [None])[0]
    return plan[0]["Execution Time"], " > ".join(shape)


def set_statistics(state: str) -> None:
    with connection.cursor() as cursor:
        if state == "no statistics":
            for table in TABLES:
                cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
                cursor.execute(
                    "DELETE FROM pg_statistic_ext_data WHERE stxoid IN "
                    "(SELECT oid FROM pg_statistic_ext WHERE stxrelid = %s::regclass)",
                    [table],
                )
            return
        target = {"ANALYZE target 10": 10, "ANALYZE target 1000": 1000}.get(state, 100)
        cursor.execute(f"SET default_statistics_target = {target}")
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("RESET default_statistics_target")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    recorded = [(user, url, statements(user, url)) for user, url in PAGES]
    states = ["no statistics", "ANALYZE target 10"]
    states += [f"ANALYZE default #{i + 1}" for i in range(rounds)]
    states += ["ANALYZE target 1000"]
    print(f"{'state':<22}{'user':<10}{'page':<50}{'slowest ms':>11}  plan of the slowest statement")
    worst = {}
    for state in states:
        set_statistics(state)
        for user, url, sqls in recorded:
            results = [explain(sql) for sql in sqls]
            ms, shape = max(results)
            worst[(user, url)] = max(worst.get((user, url), 0), ms)
            print(f"{state:<22}{user:<10}{url:<50}{ms:>11.1f}  {shape}")
    set_statistics("ANALYZE default")
    print("\nslowest over every state:")
    for (user, url), ms in worst.items():
        print(f"  {user:<10}{url:<50}{ms:>9.1f} ms")


if __name__ == "__main__":
    main()
