"""children.rules: the age rule (one home: registration, import and the sweep use it) and the facts → categories
rule (精准识别, 动态管理). Pure: dates typed in, no database."""

import datetime

import pytest
from django.utils import translation

from children import rules
from children.rules import Facts, Parent, Region

D = datetime.date
TODAY = D(2026, 11, 29)


@pytest.mark.parametrize(
    ("birth", "today", "age"),
    [
        (D(2008, 11, 29), D(2026, 11, 29), 18),  # the 18th birthday
        (D(2008, 11, 29), D(2026, 11, 28), 17),  # the day before
        (D(2008, 2, 29), D(2026, 2, 28), 17),  # born on 29 February: not yet on the 28th
        (D(2008, 2, 29), D(2026, 3, 1), 18),  # … 18 on 1 March
        (D(2010, 6, 15), D(2026, 6, 15), 16),
        (D(2010, 6, 15), D(2026, 6, 14), 15),
    ],
)
def test_age_on(birth, today, age):
    assert rules.age_on(birth, today) == age


def test_the_18th_birthday_and_29_february():
    assert rules.closes_on(D(2008, 11, 29)) == D(2026, 11, 29)
    assert rules.closes_on(D(2008, 2, 29)) == D(2026, 3, 1)
    assert rules.birthday(D(2008, 2, 29), 16) == D(2024, 2, 29)


def test_born_by_selects_exactly_those_of_the_age():
    """The SQL condition birth_date <= born_by(today, n) agrees with age_on over four years of days (leap days
    included), for every birth date around the boundary."""
    day = D(2026, 1, 1)
    while day < D(2030, 1, 1):
        cutoff = rules.born_by(day, 18)
        for offset in range(-3, 4):
            birth = cutoff + datetime.timedelta(days=offset)
            assert (birth <= cutoff) == (rules.age_on(birth, day) >= 18), (day, birth)
        day += datetime.timedelta(days=1)
    assert rules.born_by(D(2028, 2, 29), 18) == D(2010, 2, 28)


def test_is_adult_boundary():
    assert rules.is_adult(D(2008, 11, 29), TODAY)
    assert not rules.is_adult(D(2008, 11, 30), TODAY)


def facts(*parents, **kw):
    return Facts(birth_date=kw.pop("birth", D(2015, 6, 1)), parents=tuple(parents), **kw)


AWAY_LONG = D(2026, 5, 1)  # seven months before TODAY
AWAY_SHORT = D(2026, 10, 1)  # two months


@pytest.mark.parametrize(
    ("given", "held", "expected"),
    [
        # health and disability (000 #27: the child's own disability, any grade; 重病)
        (facts(disability="physical", disability_grade=1), [], [("disabled", "add")]),
        (facts(disability="intellectual", disability_grade=4), [], [("disabled", "add")]),
        (facts(disability="physical", disability_grade=1), ["disabled"], []),
        (facts(health="seriously_ill"), [], [("seriously_ill", "add")]),
        (facts(health="ill"), [], []),
        # parents: 事实无人抚养 (both unable, or one unable and the other dead or missing)
        (facts(Parent("father", "imprisoned"), Parent("mother", "missing")), [], [("de_facto_unsupported", "add")]),
        (facts(Parent("father", "dead"), Parent("mother", "compulsory_rehab")), [], [("de_facto_unsupported", "add")]),
        (facts(Parent("father", "imprisoned"), Parent("mother", "missing")), ["orphan_scattered"], []),
        (facts(Parent("father", "dead"), Parent("mother", "dead")), [], [("orphan_scattered", "add")]),
        (facts(Parent("father", "dead"), Parent("mother", "dead")), ["orphan_institution"], []),
        # left-behind: both away at least the region's months, or one away and the other unable
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "working_away", AWAY_LONG)),
            [],
            [("left_behind_rural", "add")],
        ),
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "working_away", AWAY_SHORT)),
            [],
            [],
        ),
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "imprisoned")),
            [],
            [("left_behind_rural", "add")],
        ),
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "working_away", AWAY_LONG)),
            ["left_behind_urban"],
            [],
        ),
        (  # 16 or older: not left-behind
            facts(
                Parent("father", "working_away", AWAY_LONG),
                Parent("mother", "working_away", AWAY_LONG),
                birth=D(2010, 11, 29),
            ),
            [],
            [],
        ),
        # a parent back home: end the left-behind category (动态管理)
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "normal")),
            ["left_behind_rural"],
            [("left_behind_rural", "end")],
        ),
        (facts(Parent("father", "working_away", AWAY_LONG)), ["left_behind_rural"], []),  # nothing says home
        (
            facts(Parent("father", "working_away", AWAY_LONG), Parent("mother", "working_away", AWAY_LONG)),
            ["left_behind_rural"],
            [],
        ),
    ],
)
def test_proposals(given, held, expected):
    got = [(p.category, p.action) for p in rules.proposals(given, held, TODAY)]
    assert got == expected


def test_the_region_sets_the_months_away_and_the_age_limit():
    both_away = facts(
        Parent("father", "working_away", D(2026, 8, 15)),
        Parent("mother", "working_away", D(2026, 8, 15)),
        birth=D(2012, 1, 1),
    )
    assert rules.proposals(both_away, [], TODAY, Region(16, 3))  # 3 months and a half
    assert not rules.proposals(both_away, [], TODAY, Region(16, 6))
    assert not rules.proposals(both_away, [], TODAY, Region(14, 3))  # 14 years old


def test_the_facts_are_named():
    (p,) = rules.proposals(facts(Parent("father", "imprisoned"), Parent("mother", "missing")), [], TODAY)
    assert p.facts == ("father:imprisoned", "mother:missing")
    with translation.override("en"):
        labels = [rules.fact_label(c) for c in p.facts]
    assert labels == ["father: Imprisoned", "mother: Missing or out of contact"]


@pytest.mark.parametrize(
    ("birth", "today", "proposed"),
    [
        (D(2010, 11, 30), D(2026, 11, 29), True),  # 16 tomorrow: still left-behind
        (D(2010, 11, 29), D(2026, 11, 29), False),  # 16 today: no longer
        (D(2012, 2, 29), D(2028, 2, 28), True),  # born on 29 February, 2028 has one: 15 on the 28th
        (D(2012, 2, 29), D(2028, 2, 29), False),
    ],
)
def test_left_behind_is_proposed_until_the_16th_birthday(birth, today, proposed):
    away = D(2026, 1, 1) if today.year == 2026 else D(2027, 6, 1)
    both_away = facts(Parent("father", "working_away", away), Parent("mother", "working_away", away), birth=birth)
    got = [(p.category, p.action) for p in rules.proposals(both_away, [], today)]
    assert got == ([("left_behind_rural", "add")] if proposed else [])


@pytest.mark.parametrize(
    ("birth", "today", "proposed"),
    [
        (D(2012, 2, 29), D(2026, 2, 28), True),  # a region's limit of 14, in a year with no 29 February
        (D(2012, 2, 29), D(2026, 3, 1), False),
    ],
)
def test_a_regions_age_limit_for_a_child_born_on_29_february(birth, today, proposed):
    away = D(2025, 6, 1)
    both_away = facts(Parent("father", "working_away", away), Parent("mother", "working_away", away), birth=birth)
    assert bool(rules.proposals(both_away, [], today, Region(14, 3))) == proposed


def test_registration_and_the_import_give_one_refusal_naming_the_age():
    with translation.override("zh-hans"):
        assert rules.adult_refusal() == "此人已满18周岁，不能建立儿童档案。"
    with translation.override("en"):
        assert rules.adult_refusal() == "This person is 18 or older: the archive is for children."


def test_the_models_defaults_are_the_rules_defaults():
    """A region's identification rules start from the national policy that children.rules states (16, 3 months)."""
    from children.models import IdentificationRules

    fields = {f.name: f.default for f in IdentificationRules._meta.fields}
    assert (fields["left_behind_max_age"], fields["left_behind_months_away"]) == (16, 3)
    assert (Region().left_behind_max_age, Region().left_behind_months_away) == (16, 3)
