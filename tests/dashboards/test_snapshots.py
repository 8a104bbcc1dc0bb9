"""The monthly compliance snapshot: figures as of a month's end, idempotent, summed into the dashboard series;
the beat entry shipped by migration; the task on a real Celery worker (PostgreSQL + Redis)."""

import datetime

import pytest
from django.core.management import call_command

from dashboards import selectors, services
from dashboards.models import ComplianceSnapshot
from dashboards.tasks import compliance_snapshot
from tests.dashboards.conftest import make_child, visit
from visits import schedule

JUNE = datetime.date(2026, 6, 1)
TODAY = datetime.date(2026, 7, 20)


@pytest.fixture
def june(tree, users):
    """As of 2026-06-30 (Qingdao: orphans monthly, left-behind every 3 months):
    v1: A orphan, home visit 06-20 -> compliant; B left-behind, last home visit 01-10 -> not (due 04-10);
        C orphan, visited only on 07-05 (after the month) -> not; H registered 07-15 -> not counted.
    v3: E orphan, contact only (phone) on 06-25, home visit 03-01 -> not (home overdue), contact ok."""
    a = make_child(tree.v1, "orphan_scattered")
    visit(a, on=datetime.date(2026, 6, 20))
    b = make_child(tree.v1, "left_behind_rural")
    visit(b, on=datetime.date(2026, 1, 10))
    c = make_child(tree.v1, "orphan_scattered")
    visit(c, on=datetime.date(2026, 7, 5))
    h = make_child(tree.v1, "orphan_scattered")
    h.registered_on = datetime.date(2026, 7, 15)
    h.save()
    e = make_child(tree.v3, "orphan_scattered")
    visit(e, on=datetime.date(2026, 3, 1))
    visit(e, on=datetime.date(2026, 6, 25), kind="contact")
    schedule.refresh()
    return {"a": a, "b": b, "c": c, "h": h, "e": e}


def _rows(month=JUNE):
    return {
        r.village_id: (r.children, r.with_rule, r.home_ok, r.compliant)
        for r in ComplianceSnapshot.objects.filter(month=month)
    }


@pytest.mark.django_db
def test_snapshot_counts_as_of_the_months_last_day(tree, june):
    assert services.snapshot_month(month=JUNE, today=TODAY) == 2
    rows = _rows()
    assert rows[tree.v1.code] == (3, 3, 1, 1)  # A, B, C counted; H registered later; only A compliant
    assert rows[tree.v3.code] == (1, 1, 0, 0)
    snap = ComplianceSnapshot.objects.get(month=JUNE, village=tree.v3)
    home_days = schedule_days(june["e"])
    if home_days["contact_days"]:  # a rule with a contact interval: E's phone call keeps the contact on time
        assert snap.contact_ok == 1
    # Run again (a retried task, a second backfill): the same rows, not twice as many.
    services.snapshot_month(month=JUNE, today=TODAY)
    assert _rows() == rows and ComplianceSnapshot.objects.filter(month=JUNE).count() == 2


def schedule_days(child):
    from visits.models import VisitSchedule

    s = VisitSchedule.objects.get(child=child)
    return {"home_days": s.home_days, "contact_days": s.contact_days}


@pytest.mark.django_db
def test_a_later_month_sees_later_visits_and_the_series_sums_the_villages(users, tree, june):
    services.snapshot_month(month=JUNE, today=TODAY)
    services.snapshot_month(month=datetime.date(2026, 7, 1), today=TODAY)  # the running month: as of today
    july = _rows(datetime.date(2026, 7, 1))
    # As of 07-20: A (06-20, due 07-20), C (07-05) and H (registered 07-15, due a month later) on time; B not.
    assert july[tree.v1.code] == (4, 4, 3, 3)
    board = selectors.dashboard(users.county_staff, tree.county, TODAY)
    june_point = next(p for p in board.series if p.month == JUNE)
    assert (june_point.children, june_point.with_rule, june_point.compliant) == (4, 4, 1)
    assert board.series[-1].current
    # The series covers the twelve months before this one; months with no snapshot are left out.
    assert [p.month for p in board.series[:-1]] == [JUNE]
    supervisor_board = selectors.dashboard(users.supervisor, tree.t1, TODAY)
    assert next(p for p in supervisor_board.series if p.month == JUNE).with_rule == 3  # only its villages


@pytest.mark.django_db
def test_backfill_command_writes_the_past_months(tree, june, capsys):
    call_command("backfill_compliance", "--months", "3", "--date", TODAY.isoformat())
    assert sorted({m for m in ComplianceSnapshot.objects.values_list("month", flat=True)}) == [
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
        JUNE,
    ]
    assert _rows()[tree.v1.code] == (3, 3, 1, 1)
    assert "2026-06: 2 villages" in capsys.readouterr().out


@pytest.mark.django_db
def test_the_task_defaults_to_the_month_just_ended(tree, june, time_machine):
    time_machine.move_to(datetime.datetime(2026, 7, 1, 3, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))))
    assert compliance_snapshot.run() == {"month": "2026-06-01", "villages": 2}
    assert _rows()[tree.v1.code] == (3, 3, 1, 1)


@pytest.mark.django_db
def test_the_monthly_beat_entry_is_shipped_by_a_data_migration():
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("dashboards.migrations.0002_monthly_snapshot_beat")
    assert migration.Migration.operations[0].code is migration.ship
    # A transactional test elsewhere may have flushed the row the migration wrote: the same function puts it back,
    # and running it again creates nothing new.
    migration.ship(apps, None)
    migration.ship(apps, None)
    task = PeriodicTask.objects.get(task="dashboards.tasks.compliance_snapshot")
    assert task.enabled and task.crontab.day_of_month == "1" and task.crontab.hour == "2"
    assert str(task.crontab.timezone) == "Asia/Shanghai"


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_snapshot_runs_on_a_real_worker(require_postgres, redis_url, tree, june):
    import uuid

    from tests.visits.test_celery import Worker, wait_for

    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = Worker(redis_url, queue).start()
    try:
        compliance_snapshot.apply_async(args=["2026-06"], queue=queue)
        assert wait_for(lambda: ComplianceSnapshot.objects.filter(month=JUNE).count() == 2), worker.output()
        assert _rows()[tree.v1.code][:2] == (3, 3)
    finally:
        worker.kill()


@pytest.mark.django_db
def test_a_last_visit_years_back_still_counts(tree):
    """The snapshot reads earlier years only for children without a visit since `schedule.recent_since` (issue 19:
    visits partitioned by year): as of 2026-06-30 that is 2025-01-01. K (v2, orphan, monthly) was registered on
    2026-06-20 and last visited at home on 2024-12-20: due 2025-01-19, overdue, although counting from the
    registration (as if the old visit were not there) would make it due 2026-07-20, on time."""
    k = make_child(tree.v2, "orphan_scattered")
    visit(k, on=datetime.date(2024, 12, 20))
    schedule.refresh()
    type(k).objects.filter(pk=k.pk).update(registered_on=datetime.date(2026, 6, 20))
    assert schedule.recent_since(datetime.date(2026, 6, 30)) == datetime.date(2025, 1, 1)
    services.snapshot_month(month=JUNE, today=TODAY)
    assert _rows()[tree.v2.code] == (1, 1, 0, 0)  # one child, with a rule, home visit overdue, not compliant
