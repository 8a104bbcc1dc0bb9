"""The pure policy of help plans: which requirement a child meets, which region decides, when things are due."""

import datetime

from plans import rules

DROPOUT_BIT = 1 << 10  # children/categories.py: Category.DROPOUT (never renumbered)
RED = rules.Requirement(colours=frozenset({"red", "orange"}))
HIGH = rules.Requirement(risk_grades=frozenset({"high"}))
DROPOUT = rules.Requirement(category_mask=DROPOUT_BIT, plan_kind=rules.RETURN_TO_SCHOOL)


def facts(colour="green", risk="", flags=0, enrolment="enrolled"):
    return rules.ChildFacts(category_flags=flags, colour=colour, risk_grade=risk, enrolment=enrolment)


def test_each_condition_is_any_of_its_values_and_all_given_conditions_must_hold():
    assert rules.matches(RED, facts(colour="orange"))
    assert not rules.matches(RED, facts(colour="yellow"))
    both = rules.Requirement(colours=frozenset({"red"}), risk_grades=frozenset({"high"}))
    assert not rules.matches(both, facts(colour="red", risk="medium"))
    assert rules.matches(both, facts(colour="red", risk="high"))
    assert rules.matches(DROPOUT, facts(flags=DROPOUT_BIT | 1))
    assert not rules.matches(DROPOUT, facts(flags=1))


def test_a_requirement_without_conditions_matches_nobody():
    assert not rules.matches(rules.Requirement(), facts(colour="red", risk="high"))


def test_the_longest_prefix_decides():
    assert rules.deciding_prefix(["", "37", "370283"], "370283001001") == "370283"
    assert rules.deciding_prefix(["", "37", "370283"], "370281001001") == "37"
    assert rules.deciding_prefix(["", "37"], "120116001001") == ""
    assert rules.deciding_prefix(["37"], "120116001001") is None


def test_a_dropout_needs_a_return_to_school_plan_and_any_plan_serves_the_others():
    kinds = rules.required_kinds([RED, HIGH, DROPOUT], facts(colour="red", flags=DROPOUT_BIT))
    assert kinds == {rules.GENERAL, rules.RETURN_TO_SCHOOL}
    assert not rules.satisfied(kinds, None)
    assert not rules.satisfied(kinds, rules.GENERAL)
    assert rules.satisfied(kinds, rules.RETURN_TO_SCHOOL)
    assert rules.satisfied({rules.GENERAL}, rules.RETURN_TO_SCHOOL)
    assert rules.satisfied(set(), None)


def test_measure_and_review_stages():
    today = datetime.date(2026, 11, 29)
    assert rules.measure_stage(datetime.date(2026, 12, 3), today) is None  # 4 days ahead
    assert rules.measure_stage(datetime.date(2026, 12, 2), today) == "soon"  # 3 days ahead
    assert rules.measure_stage(today, today) == "soon"
    assert rules.measure_stage(datetime.date(2026, 11, 28), today) == "overdue"
    assert rules.review_stage(None, today) is None
    assert rules.review_stage(datetime.date(2026, 12, 6), today) == "soon"
    assert rules.review_stage(datetime.date(2026, 12, 7), today) is None
    assert rules.next_review(today, None) == datetime.date(2027, 2, 27)  # 90 days, counted by hand
    assert rules.next_review(today, datetime.date(2026, 12, 31)) == datetime.date(2026, 12, 31)
