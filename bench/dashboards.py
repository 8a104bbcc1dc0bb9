"""Server time and query count of the dashboards at scale (in-process Django test client) with an empty cache,
the live aggregates the stored per-village figures replace, and the cost of the monthly compliance snapshot, of
recomputing every village's figures (the first beat run of a day) and of recomputing a few stale villages.

It writes (a year of monthly snapshots, the cache, sessions), so it runs on a copy of the shared demo, never on
care_bench itself:

createdb -h 127.0.0.1 -U postgres -T care_bench care_c_bench
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_c_bench REDIS_URL=redis://127.0.0.1:6379/11
.venv/bin/python manage.py migrate
.venv/bin/python bench/dashboards.py [months to backfill, default 12]
"""

import sys
import time

import _setup  # noqa: F401
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone

from accounts.models import Area, User
from dashboards import figures, selectors, services

# (user, area code or None for the user's own area, label)
CASES = [
    ("supervisor", None, "township (supervisor)"),
    ("county", None, "county (demo county)"),
    ("province", "370356", "largest county (10,844 children)"),
    ("city", None, "city"),
    ("province", None, "province"),
    ("province", "370283001", "township (from the province)"),
]


def main() -> None:
    if connection.settings_dict["NAME"] == "care_bench":
        sys.exit("care_bench is shared and read-only: run this on a copy (see the docstring).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM children_child WHERE status = 'open'")
        print(f"open archives: {cursor.fetchone()[0]:,}")
    today = timezone.localdate()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    t = time.perf_counter()
    months = services.backfill(months=n, today=today)
    took = time.perf_counter() - t
    print(f"monthly snapshots, {n} months: {took:.1f} s ({took / n:.1f} s a month, {months[-1][1]:,} villages)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_compliancesnapshot")

    for code in ("370283", "370356", "370200", "370000"):  # demo county, largest county, city, province
        area = Area.objects.get(code=code)
        ms, _ = _setup.timed(lambda area=area: selectors.compute_figures(area, today), repeat=3)
        print(f"live aggregate {area.level:<9}{code:<10}{ms:>10.1f} ms")
    t = time.perf_counter()
    stored = figures.refresh(today=today)
    print(f"every village's figures (a day's first refresh): {stored:,} villages in {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dashboards_villagefigures")
        cursor.execute("SELECT village FROM dashboards_villagefigures ORDER BY village LIMIT 50")
        some = [r[0] for r in cursor.fetchall()]
    figures.mark_stale(some)
    t = time.perf_counter()
    redone = services.refresh_village_figures(today=today)
    ms = 1000 * (time.perf_counter() - t)
    print(f"the beat task with {len(some)} stale villages: {redone} villages in {ms:.0f} ms")
    cache.clear()  # every page below starts with an empty cache

    print(f"{'dashboard':<36}{'ms':>8}{'queries':>9}")
    for username, code, label in CASES:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        code = code or user.areas.order_by("code").first().code
        ms, queries = _setup.page(client, f"/dashboards/{code}/")
        print(f"{label:<36}{ms:>8.1f}{queries:>9}")
    client = Client()
    client.force_login(User.objects.get(username="province"))
    ms, queries = _setup.page(client, "/dashboards/370000/export/compliance.xlsx")
    print(f"{'province Excel export':<36}{ms:>8.1f}{queries:>9}")


if __name__ == "__main__":
    main()
