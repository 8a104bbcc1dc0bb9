"""The national scale simulated (issues 19 and 20): the 1,000,000-child province copied into more provinces inside
PostgreSQL, then the province-scoped work measured at the larger size.

    createdb -h 127.0.0.1 -U postgres -T care_bench care_10m          # a copy of the 1 M-child demo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_10m .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_10m .venv/bin/python bench/national.py grow [--provinces 9]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_10m .venv/bin/python bench/national.py measure

`grow` copies province 37's areas, generated staff, children and every row hanging off a child (family members,
categories, colour changes, entrusted care, welfare coverage, schedules, visits, the dashboards' village figures and
monthly snapshots) into the provinces 41, 42, … with `INSERT … SELECT` (one statement per table and province, one
transaction per province): ids are offset by the table's largest id times the copy's number, area codes and ID
numbers take the new province's two digits, usernames a suffix. The copies are the same data under other codes, so
every province is a 1,000,000-child province with a year of visits, as a national deployment would hold them.

`measure` times, as `bench/sweep.py`, `bench/pages.py` and `bench/dashboards.py` do on one province: the daily sweep
(every province's directors are notified; rolled back), one province's schedule refresh against its reference query,
the province's dashboard from the village figures, the worklist opened by the county, city and province users, and
an archive page; and prints the sizes of the tables.
"""

import argparse
import statistics
import time

import _setup  # noqa: F401
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

SOURCE = "37"
PROVINCES = ["41", "42", "43", "44", "45", "50", "51", "52", "53", "61", "62", "63", "64", "65"]
# Rows of the source province, per table (everything hanging off a child is copied through its child).
TABLES = [
    ("accounts_area", f"code LIKE '{SOURCE}%%'"),
    # The staff seed_demo generated for the villages (the named demo users stay), not the copies made before.
    ("accounts_user", "id > 20 AND username !~ '_[0-9]{2}$'"),
    ("accounts_user_areas", f"user_id > 20 AND area_id LIKE '{SOURCE}%%'"),
    ("children_child", "TRUE"),
    ("children_familymember", "TRUE"),
    ("children_childcategory", "TRUE"),
    ("children_colourchange", "TRUE"),
    ("children_entrustedcare", "TRUE"),
    ("children_welfarecoverage", "TRUE"),
    ("visits_visitschedule", "TRUE"),
    ("visits_visit", "TRUE"),
    ("dashboards_villagefigures", f"village LIKE '{SOURCE}%%'"),
    ("dashboards_compliancesnapshot", f"village_id LIKE '{SOURCE}%%'"),
]
AREA_CODES = {("accounts_area", "code"), ("dashboards_villagefigures", "village")}  # area codes kept without a key
PREFIXED = {"id_number"}  # ID numbers begin with the region's code: the copy takes its province's


def _columns(cursor, table: str) -> list[tuple[str, str | None]]:
    """Each column and the table its foreign key points to, if any."""
    cursor.execute(
        """
        SELECT a.attname, (SELECT c.confrelid::regclass::text FROM pg_constraint c
                            WHERE c.conrelid = a.attrelid AND c.contype = 'f' AND c.conkey = ARRAY[a.attnum])
          FROM pg_attribute a
         WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum
        """,
        [table],
    )
    return cursor.fetchall()


def _max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


def grow(provinces: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(DISTINCT substr(village_id, 1, 2)) FROM children_child")
        have = cursor.fetchone()[0]
        offsets = {t: _max_id(cursor, t) for t, _ in TABLES if "id" in dict(_columns(cursor, t))}
        # Copy k's ids are the source's plus k times the largest id before growing (so a second run continues).
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM children_child WHERE village_id LIKE '{SOURCE}%%'")
        source_children = cursor.fetchone()[0]
    for k, code in enumerate(PROVINCES[have - 1 : provinces - 1], start=have):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            for table, where in TABLES:
                selects, names = [], []
                for column, target in _columns(cursor, table):
                    names.append(f'"{column}"')
                    if column == "id" and table in offsets:
                        selects.append(f"id + {k * offsets[table]}")
                    elif target == "children_child":
                        selects.append(f"{column} + {k * offsets['children_child']}")
                    elif target == "accounts_user":
                        selects.append(
                            f"CASE WHEN {column} > 20 THEN {column} + {k * offsets['accounts_user']} ELSE {column} END"
                        )
                    elif target == "accounts_area" or (table, column) in AREA_CODES:
                        selects.append(f"overlay({column} placing '{code}' from 1 for 2)")
                    elif table == "accounts_user" and column == "username":
                        selects.append(f"username || '_{code}'")
                    elif column in PREFIXED:
                        selects.append(
                            f"CASE WHEN length({column}) >= 2 THEN overlay({column} placing '{code}' "
                            f"from 1 for 2) ELSE {column} END"
                        )
                    else:
                        selects.append(f'"{column}"')
                source_where = where
                if table == "children_child":
                    source_where = f"village_id LIKE '{SOURCE}%%'"
                elif table not in ("accounts_area", "accounts_user", "accounts_user_areas") and "village" not in where:
                    source_where = f"child_id <= {source_children}"
                t = time.perf_counter()
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(selects)} FROM {table}"
                    f" WHERE {source_where}"
                )
                print(f"  {code} {table}: {cursor.rowcount:,} rows in {time.perf_counter() - t:.1f} s", flush=True)
            cursor.execute(
                "UPDATE accounts_area SET name = name || %s WHERE code = %s",
                [f"（模拟 {code}）", f"{code}0000"],
            )
        print(f"province {code}: {time.perf_counter() - started:.0f} s", flush=True)
    with connection.cursor() as cursor:
        for table, _ in TABLES:
            if table in offsets:
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
            cursor.execute(f"ANALYZE {table}")
        cursor.execute("SELECT COUNT(*) FROM children_child")
        print(f"children: {cursor.fetchone()[0]:,}")


def measure(pages_only: bool = False) -> None:
    from accounts.models import User
    from children.access import visible_children

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT substr(village_id, 1, 2)) FROM children_child")
        children, provinces = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM visits_visit")
        visits = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    print(f"{children:,} children in {provinces} provinces, {visits:,} visits, database {size}")

    from sweep import sweep_days_ahead

    sweep_days_ahead(timezone.localdate(), () if pages_only else (1, 2), ", every province")

    from refresh import one_round

    rounds = [one_round(SOURCE) for _ in range(0 if pages_only else 2)]
    rounds and print(
        f"schedule refresh of province {SOURCE}: reference {statistics.median(r[0] for r in rounds):.1f} s, refresh"
        f" {statistics.median(r[1] for r in rounds):.1f} s ({rounds[0][2]:,} children), ratio per round"
        f" {', '.join(f'{r[1] / r[0]:.2f}' for r in rounds)}",
        flush=True,
    )

    for username, url in [
        ("province", f"/dashboards/{SOURCE}0000/"),
        ("city", f"/dashboards/{SOURCE}0200/"),
        ("county", f"/dashboards/{SOURCE}0283/"),
        ("county", "/visits/worklist/"),
        ("city", "/visits/worklist/"),
        ("province", "/visits/worklist/"),
        ("province", "/children/?category=orphan_scattered&sort=colour"),
        ("director", "/visits/worklist/"),
    ]:
        client = Client()
        client.force_login(User.objects.get(username=username))
        ms, queries = _setup.page(client, url)
        print(f"{username:<10}{url:<52}{ms:8.1f} ms {queries:3} queries", flush=True)
    user = User.objects.get(username="director")
    child = visible_children(user).filter(status="open").order_by("pk").first()
    client = Client()
    client.force_login(user)
    ms, queries = _setup.page(client, f"/children/{child.pk}/")
    print(f"{'director':<10}{'archive page':<52}{ms:8.1f} ms {queries:3} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["grow", "measure"])
    parser.add_argument("--provinces", type=int, default=10, help="provinces in all after growing")
    parser.add_argument("--pages-only", action="store_true", help="measure: the pages only")
    args = parser.parse_args()
    grow(args.provinces) if args.action == "grow" else measure(args.pages_only)


if __name__ == "__main__":
    main()
