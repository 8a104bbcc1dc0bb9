"""The set-based schedule SQL (visits/schedule.py) against the visit policy in Python (visits.rules.schedule_for),
over generated regions, rule sets, children, visits, transfers and closed archives.

Each example builds its own rule sets (regional ones at nested prefixes, inactive ones, the default set or none)
on a small area tree of two provinces, and children with random facts and visits, refreshes the schedules, changes
some children (a transfer, a closed archive, a new visit, a rule set switched off), refreshes again the way the
services do (everyone, a few children, or an area's subtree), and compares every stored row with the policy.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accounts.models import AreaLevel
from children.models import ArchiveStatus, Child, Transfer
from tests.factories import ChildFactory, area
from visits import rules, schedule
from visits.models import RuleSet, Visit, VisitRule, VisitSchedule

# Two provinces: 61 with two cities, nested down to villages; 62 with one line down to one village.
TREE = [
    ("610000", AreaLevel.PROVINCE, None),
    ("610100", AreaLevel.CITY, "610000"),
    ("610102", AreaLevel.COUNTY, "610100"),
    ("610102001", AreaLevel.TOWNSHIP, "610102"),
    ("610102001001", AreaLevel.VILLAGE, "610102001"),
    ("610102001002", AreaLevel.VILLAGE, "610102001"),
    ("610102002", AreaLevel.TOWNSHIP, "610102"),
    ("610102002001", AreaLevel.VILLAGE, "610102002"),
    ("610103", AreaLevel.COUNTY, "610100"),
    ("610103001", AreaLevel.TOWNSHIP, "610103"),
    ("610103001001", AreaLevel.VILLAGE, "610103001"),
    ("610200", AreaLevel.CITY, "610000"),
    ("610202", AreaLevel.COUNTY, "610200"),
    ("610202001", AreaLevel.TOWNSHIP, "610202"),
    ("610202001001", AreaLevel.VILLAGE, "610202001"),
    ("620000", AreaLevel.PROVINCE, None),
    ("620100", AreaLevel.CITY, "620000"),
    ("620102", AreaLevel.COUNTY, "620100"),
    ("620102001", AreaLevel.TOWNSHIP, "620102"),
    ("620102001001", AreaLevel.VILLAGE, "620102001"),
]
VILLAGES = [code for code, level, _parent in TREE if level == AreaLevel.VILLAGE]
# Areas that may have a rule set: every level, nested (province, city, county, township and a village of one line);
# None is the default set.
RULE_AREAS = [None, "610000", "610100", "610102", "610102001", "610102001001", "610200", "620000", "620102"]
# Subtrees a refresh may be limited to.
SCOPES = ["61", "6101", "610102", "610102001", "62"]

START = datetime.date(2025, 1, 1)
days = st.integers(min_value=0, max_value=500).map(lambda n: START + datetime.timedelta(days=n))
# Visits on both sides of the day from which the refresh reads every child's visits (schedule.recent_since: earlier
# years only for children without one since), and on PostgreSQL in several years' partitions and the default one.
SINCE = schedule.recent_since(timezone.localdate())
visit_days = st.integers(min_value=-700, max_value=400).map(lambda n: SINCE + datetime.timedelta(days=n))
kinds = st.sampled_from(["home", "contact", "school", "other"])
grades_listed = st.lists(st.sampled_from(["low", "medium", "high"]), unique=True, max_size=2).map(", ".join)
colours_listed = st.lists(st.sampled_from(["red", "orange", "yellow", "green"]), unique=True, max_size=2).map(",".join)
interval = st.one_of(st.none(), st.sampled_from([0, 7, 14, 30, 90]), st.integers(min_value=1, max_value=200))


def often(value, other):
    """`value` (a condition that always holds) two times in three, else `other`."""
    return st.one_of(st.just(value), st.just(value), other)


rule_data = st.fixed_dictionaries(
    {
        # Masks over four category bits and two parent bits, overlapping the children's. Each condition is often
        # absent, so that most children match some rule and the nearest set is often not the only one.
        "category_mask": often(0, st.integers(min_value=1, max_value=15)),
        "parent_mask": often(0, st.integers(min_value=1, max_value=3)),
        "risk_grades": often("", grades_listed),
        "colours": often("", colours_listed),
        "max_disability_grade": often(None, st.integers(min_value=1, max_value=4)),
        "home_visit_days": interval,
        "contact_days": interval,
    }
)
PREFIXES = {"610000": "61", "610100": "6101", "610200": "6102", "620000": "62"}  # the rest: their whole code


def covering(villages: list[str]) -> list[str | None]:
    """The rule areas whose subtree holds one of `villages` (the default set's None among them)."""
    return [a for a in RULE_AREAS if a is None or any(v.startswith(PREFIXES.get(a, a)) for v in villages)]


def rule_set_data(villages: list[str]):
    """Mostly at the areas above the children's villages, so that several sets cover a child."""
    return st.fixed_dictionaries(
        {
            "area": st.one_of(st.sampled_from(covering(villages)), st.sampled_from(RULE_AREAS)),
            "active": often(True, st.just(False)),
            "rules": st.lists(rule_data, min_size=1, max_size=4),
        }
    )


def child_data(villages: list[str]):
    return st.fixed_dictionaries(
        {
            "village": st.sampled_from(villages),
            "category_flags": st.integers(min_value=0, max_value=15),
            "parent_flags": st.integers(min_value=0, max_value=3),
            "risk_grade": st.sampled_from(["", "low", "medium", "high"]),
            "colour": st.sampled_from(["red", "orange", "yellow", "green"]),
            "disability_grade": st.one_of(st.none(), st.integers(min_value=1, max_value=4)),
            "registered_on": days,
            "visits": st.lists(st.tuples(visit_days, kinds), max_size=5),
            # What happens between the two refreshes.
            "moves_to": often(None, st.sampled_from(VILLAGES)),
            "closed": often(False, st.just(True)),
            "new_visit": st.one_of(st.none(), st.tuples(visit_days, kinds)),
            # New facts (a category gained or ended, another risk grade or colour): the interval may get stricter.
            "new_facts": often(
                None,
                st.fixed_dictionaries(
                    {
                        "category_flags": st.integers(min_value=0, max_value=15),
                        "risk_grade": st.sampled_from(["", "low", "medium", "high"]),
                        "colour": st.sampled_from(["red", "orange", "yellow", "green"]),
                    }
                ),
            ),
        }
    )


# The children live in one or two villages, so that children with other facts often share a village (and its
# rule sets) and the nearest set must be chosen per child, not per village.
world = st.lists(st.sampled_from(VILLAGES), min_size=1, max_size=2, unique=True).flatmap(
    lambda villages: st.fixed_dictionaries(
        {
            "rule_sets": st.lists(rule_set_data(villages), min_size=2, max_size=7, unique_by=lambda s: s["area"]),
            "children": st.lists(child_data(villages), min_size=3, max_size=10),
            "switch_off": often(False, st.just(True)),  # switch the first active set off before the second refresh
            "refresh": st.sampled_from(["everyone", "changed", "all_ids", "area"]),
            "scope": st.sampled_from(SCOPES),
            "changed_on": days,  # the day the changes took effect (a new obligation counts from it)
            "later": st.integers(min_value=0, max_value=60),  # a later refresh, this many days after
        }
    )
)


@pytest.fixture
def areas(db):
    made = {}
    for code, level, parent in TREE:  # parents first
        made[code] = area(code, f"区划{code}", level, made.get(parent))
    return made


def make_rule_sets(data: list[dict], areas: dict) -> None:
    RuleSet.objects.all().delete()  # the shipped sets too: each example has its own (rolled back after it)
    for i, item in enumerate(data):
        rule_set = RuleSet.objects.create(
            name=f"规则{i}", area=areas[item["area"]] if item["area"] else None, active=item["active"]
        )
        for n, rule in enumerate(item["rules"]):
            VisitRule.objects.create(rule_set=rule_set, description=f"规则{i}-{n}", source="test", **rule)


def add_visit(child: Child, day: datetime.date, kind: str) -> None:
    Visit.objects.create(
        child=child,
        kind=kind,
        visit_date=day,
        visited_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9))),
    )


def stored(row: VisitSchedule) -> tuple:
    return (
        row.village_id,
        row.home_days,
        row.contact_days,
        row.last_home_on,
        row.last_contact_on,
        row.home_due_on,
        row.contact_due_on,
        row.due_on,
        [int(i) for i in row.rule_ids.split(",") if i],
        row.home_since,
        row.home_cap,
        row.contact_since,
        row.contact_cap,
    )


def expected(
    village: str,
    child: dict,
    visits: list,
    rule_sets: list,
    previous: rules.Schedule | None = None,
    changed_on: datetime.date | None = None,
) -> rules.Schedule:
    facts = rules.ChildFacts(
        category_flags=child["category_flags"],
        parent_flags=child["parent_flags"],
        risk_grade=child["risk_grade"],
        colour=child["colour"],
        disability_grade=child["disability_grade"],
    )
    return rules.schedule_for(
        village_code=village,
        facts=facts,
        registered_on=child["registered_on"],
        rule_sets=rule_sets,
        visits=visits,
        previous=previous,
        changed_on=changed_on,
    )


def row_of(village: str, s: rules.Schedule) -> tuple:
    return (
        village,
        s.home_days,
        s.contact_days,
        s.last_home_on,
        s.last_contact_on,
        s.home_due_on,
        s.contact_due_on,
        s.due_on,
        [r.pk for r in s.rules],
        s.home_since,
        s.home_cap,
        s.contact_since,
        s.contact_cap,
    )


def _rule(**given) -> dict:
    conditions = {"category_mask": 0, "parent_mask": 0, "risk_grades": "", "colours": "", "max_disability_grade": None}
    return {**conditions, "home_visit_days": None, "contact_days": None, **given}


def _child(village: str, flags: int, **given) -> dict:
    plain = {"parent_flags": 0, "risk_grade": "", "colour": "green", "disability_grade": None, "visits": []}
    changes = {"moves_to": None, "closed": False, "new_visit": None, "new_facts": None}
    return {"village": village, "category_flags": flags, "registered_on": START, **plain, **changes, **given}


# Written out: in one village, children whose nearest matching set differs (A: the township's, B: the county's,
# C: the default), a set switched off, a child moving to where only the county and the default reach.
NESTED = {
    "rule_sets": [
        {"area": None, "active": True, "rules": [_rule(home_visit_days=90, contact_days=30)]},
        {"area": "610102", "active": True, "rules": [_rule(category_mask=1, home_visit_days=30)]},
        {"area": "610102001", "active": True, "rules": [_rule(category_mask=2, home_visit_days=14, contact_days=7)]},
        {"area": "610102001001", "active": False, "rules": [_rule(home_visit_days=7)]},
    ],
    "children": [
        _child("610102001001", 3, visits=[(START + datetime.timedelta(days=10), "school")]),
        _child("610102001001", 1, visits=[(START + datetime.timedelta(days=20), "home")]),
        _child("610102001001", 0),
        _child("610102001001", 1, moves_to="610102002001", new_visit=(START, "contact")),
        _child("610102001001", 2, closed=True),
    ],
    "switch_off": False,
    "refresh": "everyone",
    "scope": "61",
    "changed_on": START + datetime.timedelta(days=40),
    "later": 10,
}


@settings(
    max_examples=50,
    deadline=None,
    database=None,  # no example database written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
@example(data=NESTED)
@example(data={**NESTED, "switch_off": True, "refresh": "area", "scope": "610102"})
def test_the_stored_schedule_is_the_policy(areas, data):
    with transaction.atomic():
        check_world(areas, data)
        transaction.set_rollback(True)


def active_rule_sets() -> list[tuple[str, list]]:
    return [(rs.prefix, list(rs.rules.order_by("pk"))) for rs in RuleSet.objects.filter(active=True).order_by("pk")]


def stored_rows() -> dict[int, tuple]:
    return {row.child_id: stored(row) for row in VisitSchedule.objects.all()}


def check_world(areas: dict, data: dict) -> None:
    make_rule_sets(data["rule_sets"], areas)
    VisitSchedule.objects.all().delete()
    children = []
    for item in data["children"]:
        child = ChildFactory(
            village=areas[item["village"]],
            registered_on=item["registered_on"],
            category_flags=item["category_flags"],
            parent_flags=item["parent_flags"],
            risk_grade=item["risk_grade"],
            colour=item["colour"],
            disability="physical" if item["disability_grade"] else "",
            disability_grade=item["disability_grade"],
        )
        for day, kind in item["visits"]:
            add_visit(child, day, kind)
        children.append(child)
    schedule.refresh()
    rule_sets = active_rule_sets()
    first = stored_rows()
    policy = {
        child.pk: expected(item["village"], item, item["visits"], rule_sets)
        for child, item in zip(children, data["children"], strict=True)
    }
    villages = [item["village"] for item in data["children"]]
    assert first == {child.pk: row_of(v, policy[child.pk]) for child, v in zip(children, villages, strict=True)}

    # Changes between the two refreshes, as the services make them.
    changed = []
    for child, item in zip(children, data["children"], strict=True):
        if item["moves_to"] and item["moves_to"] != item["village"]:
            Transfer.objects.create(
                child=child,
                from_village_id=item["village"],
                to_village_id=item["moves_to"],
                transferred_on=START,
                reason="搬家",
            )
            Child.objects.filter(pk=child.pk).update(village_id=item["moves_to"])
            changed.append(child.pk)
        if item["closed"]:
            Child.objects.filter(pk=child.pk).update(status=ArchiveStatus.CLOSED, closed_on=START)
            changed.append(child.pk)
        if item["new_visit"]:
            add_visit(child, *item["new_visit"])
            changed.append(child.pk)
        if item["new_facts"]:
            Child.objects.filter(pk=child.pk).update(**item["new_facts"])
            changed.append(child.pk)
    how = data["refresh"]
    active = RuleSet.objects.filter(active=True).order_by("pk").first()
    if data["switch_off"] and active:
        RuleSet.objects.filter(pk=active.pk).update(active=False)
        if how == "changed":
            how = "everyone"  # a rule change refreshes everyone (visits.admin)
    on = data["changed_on"]
    if how == "everyone":
        schedule.refresh(changed_on=on)
    elif how == "changed":
        schedule.refresh(child_ids=changed, changed_on=on)
    elif how == "all_ids":
        schedule.refresh(child_ids=[c.pk for c in children], changed_on=on)
    else:
        schedule.refresh(area_prefix=data["scope"], changed_on=on)

    rule_sets = active_rule_sets()
    second = stored_rows()
    for child, item in zip(children, data["children"], strict=True):
        village = item["moves_to"] or item["village"]
        if how == "area" and not village.startswith(data["scope"]):
            # Outside the refreshed subtree: the row of the first refresh stays as it was.
            assert second[child.pk] == first[child.pk]
        elif item["closed"]:
            assert child.pk not in second, "a closed archive keeps no schedule"
        else:
            visits = item["visits"] + ([item["new_visit"]] if item["new_visit"] else [])
            now = {**item, **(item["new_facts"] or {})}
            policy[child.pk] = expected(village, now, visits, rule_sets, previous=policy[child.pk], changed_on=on)
            assert second[child.pk] == row_of(village, policy[child.pk]), item

    # A later refresh of everyone with nothing changed (the weekly check, a rule saved elsewhere) changes no row:
    # an interval in force keeps the day it started and its cap.
    schedule.refresh(changed_on=on + datetime.timedelta(days=data["later"]))
    third = stored_rows()
    for child, item in zip(children, data["children"], strict=True):
        village = item["moves_to"] or item["village"]
        if child.pk in second and (how != "area" or village.startswith(data["scope"])):
            assert third[child.pk] == second[child.pk], item
