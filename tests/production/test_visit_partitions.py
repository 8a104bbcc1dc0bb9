"""Visits partitioned by year of their date on PostgreSQL (issue 19, config/partitions.py, visits' 0016): a visit
lands in its year's partition and moves when its date is edited into another year; the five references to a visit
have no foreign key any more and constraint triggers keep them (a reference to a visit that is not there is refused,
through the services too, and so is deleting a visit something points at); and the migrations run backwards and
forwards on a database with rows."""

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from api.models import PostedVisit
from config import partitions
from guardianship.casework import caregiver_follow_up_open
from guardianship.models import FollowUp
from tests.conftest import require
from tests.factories import visit_fields
from visits import services
from visits.models import Visit, VisitPhoto

pytestmark = pytest.mark.postgres

TABLE = "visits_visit"
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
REFERRING = {
    "visits_visitphoto",
    "guardianship_report",
    "guardianship_followup",
    "plans_need",
    "api_postedvisit_visits",
}


@pytest.fixture
def pg(db):
    require(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL=postgres://...)")


def partition_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def visit_on(child, day: datetime.date, **extra) -> Visit:
    at = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
    return Visit.objects.create(child=child, visit_date=day, **visit_fields(visited_at=at, **extra))


def checked() -> None:
    """Run the checks deferred to commit now (the test's transaction never commits)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def foreign_keys_into_visits() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [TABLE],
        )
        return {row[0] for row in cursor.fetchall()}


def reference_triggers() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal AND tgparentid = 0"
            " AND tgname LIKE %s",
            ["%visits_visit%"],
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_visit_is_stored_in_its_years_partition_and_moves_when_its_date_changes_year(pg, users, child):
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, TABLE)
    now = timezone.localtime()
    made = services.visit_create(user=users.director, child=child, visit=Visit(**visit_fields(visited_at=now)))[0]
    assert partition_of(made.pk) == f"{TABLE}_y{now.year}"
    VisitPhoto.objects.create(visit=made, image="visit_photos/a.png")
    # Edited into the year before (31 December, 23:30 in Beijing): the row moves, the photo still points at it.
    made.visited_at = datetime.datetime(now.year - 1, 12, 31, 23, 30, tzinfo=SHANGHAI)
    services.visit_update(user=users.director, visit=made)
    assert partition_of(made.pk) == f"{TABLE}_y{now.year - 1}"
    checked()
    assert Visit.objects.get(pk=made.pk).photos.count() == 1
    old = visit_on(child, datetime.date(2019, 5, 1))
    assert partition_of(old.pk) == f"{TABLE}_default"


def test_next_years_partition_takes_its_visits_from_the_default_with_what_points_at_them(pg, users, child):
    later = datetime.date.today().year + 2  # beyond what exists: its visits wait in the default partition
    visit = visit_on(child, datetime.date(later, 3, 1))
    VisitPhoto.objects.create(visit=visit, image="visit_photos/a.png")
    assert partition_of(visit.pk) == f"{TABLE}_default"
    assert f"{TABLE}_y{later}" in partitions.ensure_years(datetime.date(later - 1, 12, 1))
    assert partition_of(visit.pk) == f"{TABLE}_y{later}"
    checked()  # the photo's visit is still there: moving it is no delete
    assert VisitPhoto.objects.get(visit=visit)


def test_a_follow_up_for_a_visit_that_is_not_there_is_refused(pg, users, child):
    visit = visit_on(child, timezone.localdate(), caregiver_unable=True, caregiver_status="poor")
    Visit.objects.filter(pk=visit.pk).delete()  # nothing points at it yet: it may go
    checked()
    # The service is handed the visit it had read: the follow-up would point at nothing.
    caregiver_follow_up_open(visit=visit, owner=users.director)
    assert FollowUp.objects.filter(visit_id=visit.pk).exists()
    with pytest.raises(IntegrityError, match="visit_id_in_visits_visit"):
        checked()


def test_a_posted_key_cannot_name_a_visit_that_is_not_there(pg, users, child):
    posted = PostedVisit.objects.create(user=users.director, key="k-1", fingerprint="f" * 64)
    posted.visits.add(visit_on(child, timezone.localdate()))
    checked()
    posted.visits.through.objects.create(postedvisit=posted, visit_id=10**9)
    with pytest.raises(IntegrityError, match="not present in table"):
        checked()


def test_a_visit_something_points_at_cannot_be_deleted_even_in_sql(pg, users, child):
    visit = visit_on(child, timezone.localdate())
    VisitPhoto.objects.create(visit=visit, image="visit_photos/a.png")
    checked()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [visit.pk])
    with pytest.raises(IntegrityError, match="still referenced"):
        checked()


def test_the_migrations_run_backwards_and_forwards_on_a_database_with_rows(pg, users, child):
    days = [datetime.date(2024, 3, 1), timezone.localdate(), datetime.date(2019, 5, 1)]
    visits = [visit_on(child, day, caregiver_unable=True, caregiver_status="poor") for day in days]
    VisitPhoto.objects.create(visit=visits[0], image="visit_photos/a.png")
    caregiver_follow_up_open(visit=visits[1], owner=users.director)
    posted = PostedVisit.objects.create(user=users.director, key="k-1", fingerprint="f" * 64)
    posted.visits.add(*visits)
    checked()  # ALTER TABLE waits for no pending checks
    assert foreign_keys_into_visits() == set() and reference_triggers() == REFERRING | {TABLE}

    call_command("migrate", "visits", "0014_visit_online_concern", verbosity=0)
    with connection.cursor() as cursor:
        assert not partitions.is_partitioned(cursor, TABLE)
    assert foreign_keys_into_visits() == REFERRING and reference_triggers() == set()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, visit_date FROM {TABLE} ORDER BY id")
        assert cursor.fetchall() == [(v.pk, day) for v, day in zip(visits, days, strict=True)]
        cursor.execute("SELECT visit_id FROM api_postedvisit_visits ORDER BY visit_id")
        assert [row[0] for row in cursor.fetchall()] == [v.pk for v in visits]

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        assert partitions.is_partitioned(cursor, TABLE)
        # The converted table comes with the planner's statistics, the table's and its partitions'.
        cursor.execute(
            "SELECT tablename FROM pg_stats WHERE tablename IN (%s, %s) AND attname = 'visit_date' ORDER BY 1",
            [TABLE, f"{TABLE}_y2024"],
        )
        assert [row[0] for row in cursor.fetchall()] == [TABLE, f"{TABLE}_y2024"]
    assert foreign_keys_into_visits() == set() and reference_triggers() == REFERRING | {TABLE}
    assert [partition_of(v.pk) for v in visits] == [
        f"{TABLE}_y2024",
        f"{TABLE}_y{days[1].year}",
        f"{TABLE}_default",
    ]
    assert set(posted.visits.values_list("pk", flat=True)) == {v.pk for v in visits}
    assert FollowUp.objects.get(visit=visits[1]) and VisitPhoto.objects.get(visit=visits[0])
    after = visit_on(child, timezone.localdate())
    assert after.pk > visits[-1].pk  # the identity goes on where it was
