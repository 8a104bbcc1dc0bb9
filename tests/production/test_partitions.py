"""The access log partitioned by year on PostgreSQL (issue 19, config/partitions.py): rows land in their year's
partition, the conversion keeps rows, ids, foreign keys and index names both ways (what the migration runs), and the
monthly task makes next year's partition, moving rows the default partition took meanwhile."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from children.models import AccessLog
from config import partitions
from tests.conftest import require

pytestmark = pytest.mark.postgres

TABLE = "children_accesslog"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def pg(db):
    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")


def partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def log_at(users, child, at: datetime.datetime) -> AccessLog:
    entry = AccessLog.objects.create(user=users.director, child=child, action="view")
    AccessLog.objects.filter(pk=entry.pk).update(at=at)
    return entry


def shape() -> tuple:
    """The table's primary key, foreign keys and index names, as the catalogue has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
            " AND contype IN ('f') ORDER BY 2",
            [TABLE],
        )
        keys = cursor.fetchall()
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s ORDER BY 1", [TABLE])
        indexes = [row[0] for row in cursor.fetchall()]
    return keys, indexes


def test_a_page_view_is_logged_in_this_years_partition(pg, client, users, child):
    assert partitions.PARTITIONED[TABLE] == "at"
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, TABLE)
    client.force_login(users.director)
    assert client.get(reverse("children:detail", args=[child.pk])).status_code == 200
    entry = AccessLog.objects.get(child=child)
    year = entry.at.astimezone(SHANGHAI).year
    assert partition_of(entry.pk) == f"{TABLE}_y{year}"


def test_the_year_follows_chinas_clock_and_old_rows_go_to_the_default_partition(pg, users, child):
    # 2025-12-31 17:00 UTC is 2026-01-01 01:00 in Beijing.
    new_year = log_at(users, child, datetime.datetime(2025, 12, 31, 17, tzinfo=datetime.UTC))
    old_year = log_at(users, child, datetime.datetime(2025, 12, 31, 15, tzinfo=datetime.UTC))
    ancient = log_at(users, child, datetime.datetime(2019, 5, 1, tzinfo=datetime.UTC))
    assert partition_of(new_year.pk) == f"{TABLE}_y2026"
    assert partition_of(old_year.pk) == f"{TABLE}_y2025"
    assert partition_of(ancient.pk) == f"{TABLE}_default"


def test_converting_back_and_forth_keeps_rows_ids_keys_and_index_names(pg, users, child):
    entries = [log_at(users, child, datetime.datetime(year, 6, 1, tzinfo=datetime.UTC)) for year in (2024, 2026, 2031)]
    partitioned_shape = shape()
    partitions.unpartition(TABLE)
    with connection.cursor() as cursor:
        assert not partitions.is_partitioned(cursor, TABLE)
    assert shape()[0] == partitioned_shape[0]  # the same foreign keys
    assert set(partitioned_shape[1]) - {f"{TABLE}_pkey"} <= set(shape()[1])  # the same index names
    assert sorted(AccessLog.objects.values_list("pk", flat=True)) == [e.pk for e in entries]
    plain = AccessLog.objects.create(user=users.director, child=child, action="view")
    assert plain.pk > entries[-1].pk  # the identity goes on where it was

    partitions.partition_by_year(TABLE, "at")
    assert shape() == partitioned_shape
    assert partition_of(entries[0].pk) == f"{TABLE}_y2024" and partition_of(entries[2].pk) == f"{TABLE}_default"
    after = AccessLog.objects.create(user=users.director, child=child, action="view")
    assert after.pk > plain.pk
    assert AccessLog.objects.count() == 5


def test_next_years_partition_is_made_ahead_and_takes_its_rows_from_the_default(pg, users, child):
    today = datetime.date.today()
    later = today.year + 2  # beyond what exists: its rows wait in the default partition
    entry = log_at(users, child, datetime.datetime(later, 3, 1, tzinfo=datetime.UTC))
    assert partition_of(entry.pk) == f"{TABLE}_default"
    made = partitions.ensure_years(datetime.date(later - 1, 12, 1))
    assert made == [f"{table}_y{later}" for table in partitions.PARTITIONED]  # the visits' too
    assert partition_of(entry.pk) == f"{TABLE}_y{later}"
    assert partitions.ensure_years(datetime.date(later - 1, 12, 1)) == []  # nothing twice
