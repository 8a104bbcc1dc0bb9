"""The incremental schedule equals the full recomputation after any sequence of writes (issue 20).

Random sequences of what users and the sweeps do, each through its service: visits recorded and corrected (date or
kind), transfers between villages and counties, categories gained and ended, colour changes, a county's rule
changed through the rule-set job, and the daily archive sweep on a child's 16th birthday (the left-behind category
ends at the age limit). After the sequence, the weekly check (a full recomputation from the history) must find no
stored row that differs, and no closed archive with a row: every writer refreshed what it changed.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from children import services as child_services
from children import sweep
from children.jobs import run_job
from children.models import ChildCategory
from tests.factories import ChildFactory, UserFactory, visit_fields
from visits import schedule, schedule_check, schedule_jobs, services
from visits.models import RuleSet, Visit, VisitRule

FIRST = datetime.date(2026, 1, 10)
LAST = datetime.date(2026, 11, 28)  # before the real today: services refuse future dates
day = st.integers(min_value=0, max_value=(LAST - FIRST).days).map(lambda n: FIRST + datetime.timedelta(days=n))
child_no = st.integers(min_value=0, max_value=2)
CATEGORIES = ["left_behind_rural", "orphan_scattered", "dropout"]

operation = st.one_of(
    st.tuples(st.just("visit"), child_no, day, st.sampled_from(["home", "contact", "school", "other"])),
    st.tuples(st.just("correct"), st.integers(min_value=0, max_value=20), day, st.sampled_from(["home", "contact"])),
    st.tuples(st.just("transfer"), child_no, st.sampled_from(["v1", "v2", "v3", "v4"]), day),
    st.tuples(st.just("category"), child_no, st.sampled_from(CATEGORIES), day),
    st.tuples(st.just("colour"), child_no, st.sampled_from(["red", "orange", "yellow", "green"]), day),
    st.tuples(st.just("rule"), st.sampled_from([7, 30, 60, 120, None])),
    st.tuples(st.just("sweep"), day),
)


@pytest.fixture
def world(tree):
    """Three children of Pingdu (Qingdao's shipped rules), born on 1 July 2010: 16 on 1 July 2026. Jiaozhou (v4) has
    a county rule set of its own whose interval the sequences change, and a rule for red children."""
    staff = UserFactory(username="province_staff", role=Role.CIVIL_AFFAIRS, areas=[tree.province])
    jiaozhou = RuleSet.objects.create(name="胶州市", area=tree.other_county, active=True)
    VisitRule.objects.create(rule_set=jiaozhou, description="所有儿童", source="测试", home_visit_days=60)
    VisitRule.objects.create(rule_set=jiaozhou, description="红色", source="测试", colours="red", home_visit_days=14)
    children = [
        ChildFactory(village=tree.v1, birth_date=datetime.date(2010, 7, 1), registered_on=datetime.date(2026, 1, 5))
        for _ in range(3)
    ]
    schedule.refresh()  # as registering them would have
    return staff, jiaozhou, children


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def apply(op: tuple, tree, staff, jiaozhou, children, visits: list) -> None:
    kind = op[0]
    if kind == "visit":
        _, n, when, visit_kind = op
        visits += services.visit_create(
            user=staff, child=children[n], visit=Visit(**visit_fields(visit_kind, visited_at=at(when)))
        )
    elif kind == "correct" and visits:
        _, n, when, visit_kind = op
        visit = Visit.objects.get(pk=visits[n % len(visits)].pk)
        for name, value in visit_fields(visit_kind, visited_at=at(when)).items():
            setattr(visit, name, value)
        services.visit_update(user=staff, visit=visit)
    elif kind == "transfer":
        _, n, village, when = op
        child = children[n]
        child.refresh_from_db()
        if child.village_id != getattr(tree, village).pk:
            child_services.child_transfer(
                user=staff, child=child, to_village=getattr(tree, village), on=when, reason="迁居"
            )
    elif kind == "category":
        _, n, category, when = op
        child = children[n]
        child.refresh_from_db()
        held = ChildCategory.objects.filter(child=child, category=category, ended_on__isnull=True).first()
        if held is None:
            child_services.category_add(user=staff, child=child, category=category, started_on=when)
        elif when >= held.started_on:
            child_services.category_end(user=staff, item=held, ended_on=when)
    elif kind == "colour":
        _, n, colour, when = op
        child = children[n]
        child.refresh_from_db()
        child_services.colour_set(user=staff, child=child, colour=colour, on=when, reason="复评")
    elif kind == "rule":
        VisitRule.objects.filter(rule_set=jiaozhou, colours="").update(home_visit_days=op[1])
        run_job(schedule_jobs.start_refresh(user=staff, prefixes=[tree.other_county.prefix]).pk)
    elif kind == "sweep":
        sweep.daily(op[1])


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=12))
def test_the_incremental_schedule_is_the_full_recomputation(tree, world, ops, monkeypatch):
    monkeypatch.setattr("config.queue.enqueue", lambda *args, **kwargs: True)  # the test runs the jobs itself
    staff, jiaozhou, children = world
    with transaction.atomic():
        apply_all(ops, tree, staff, jiaozhou, children)
        result = schedule_check.check()
        assert result.ok, (result.differing, result.closed_with_row, ops)
        transaction.set_rollback(True)


def apply_all(ops, tree, staff, jiaozhou, children) -> None:
    visits: list = []
    for op in ops:
        with transaction.atomic():  # a refused write (e.g. a date before the category's start) changes nothing
            try:
                apply(op, tree, staff, jiaozhou, children, visits)
            except Exception as refused:  # noqa: BLE001
                from django.core.exceptions import ValidationError

                if not isinstance(refused, ValidationError):
                    raise
