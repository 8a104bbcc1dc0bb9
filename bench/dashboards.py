"""Server time and query count of the dashboards at scale (in-process Django test client), and the cost of the
monthly compliance snapshot.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/dashboards.py

care_bench is shared and read-only for this script: everything it writes (the dashboards tables if the database
has not been migrated for them, a year of monthly snapshots, sessions) happens inside one transaction that is
rolled back at the end.
"""

import time

import _setup  # noqa: F401
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from dashboards import services

# (user, area code or None for the user's own area, label)
CASES = [
    ("supervisor", None, "township (supervisor)"),
    ("county", None, "county"),
    ("city", None, "city"),
    ("province", None, "province"),
    ("province", "370283001", "township (from the province)"),
]


def main() -> None:
    with transaction.atomic():
        if "dashboards_compliancesnapshot" not in connection.introspection.table_names():
            call_command("migrate", "dashboards", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM children_child WHERE status = 'open'")
            print(f"open archives: {cursor.fetchone()[0]:,}")
        t = time.perf_counter()
        months = services.backfill(months=12, today=timezone.localdate())
        took = time.perf_counter() - t
        print(f"monthly snapshots, 12 months: {took:.1f} s ({took / 12:.1f} s a month, {months[-1][1]:,} villages)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dashboards_compliancesnapshot")

        print(f"{'dashboard':<32}{'ms':>8}{'queries':>9}")
        for username, code, label in CASES:
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            code = code or user.areas.order_by("code").first().code
            ms, queries = _setup.page(client, f"/dashboards/{code}/")
            print(f"{label:<32}{ms:>8.1f}{queries:>9}")
        client = Client()
        client.force_login(User.objects.get(username="province"))
        ms, queries = _setup.page(client, "/dashboards/370000/export/compliance.xlsx")
        print(f"{'province Excel export':<32}{ms:>8.1f}{queries:>9}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
