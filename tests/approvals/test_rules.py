"""The approval policy (approvals.rules): the nearest region's setting, and who acts directly."""

from approvals import rules
from approvals.rules import COUNTY, TOWNSHIP, Policy

BYPASS = Policy(required=False)
COUNTY_APPROVES = Policy(required=True, approver_level=COUNTY)


def test_no_setting_means_the_township_supervisor_approves():
    assert rules.policy_for("370283001001", "child_close", []) == Policy(True, TOWNSHIP, True)


def test_the_longest_prefix_wins_whatever_the_order():
    table = [("370283001", "", COUNTY_APPROVES), ("", "", Policy()), ("370283", "", BYPASS)]
    assert rules.policy_for("370283001001", "child_close", table) == COUNTY_APPROVES
    assert rules.policy_for("370283002001", "child_close", table) == BYPASS  # the county's own
    assert rules.policy_for("370281001001", "child_close", table) == Policy()  # another county: the default


def test_a_setting_for_the_kind_beats_one_for_every_kind_at_the_same_prefix_only():
    table = [("370283", "", BYPASS), ("370283", "category_add", COUNTY_APPROVES), ("37", "child_close", Policy())]
    assert rules.policy_for("370283001001", "category_add", table) == COUNTY_APPROVES
    assert rules.policy_for("370283001001", "category_end", table) == BYPASS
    # A kind-specific setting of a wider region loses to the nearer region's general one.
    assert rules.policy_for("370283001001", "child_close", table) == BYPASS


def test_a_director_asks_unless_the_region_lets_directors_act():
    assert not rules.acts_directly("director", False, Policy())
    assert rules.acts_directly("director", False, BYPASS)


def test_approvers_act_directly_where_the_setting_allows_it():
    assert rules.acts_directly("supervisor", False, Policy())
    assert rules.acts_directly("civil_affairs", False, Policy())
    assert rules.acts_directly("admin", True, Policy())
    # At county level a township supervisor is not an approver: they ask too.
    assert not rules.acts_directly("supervisor", False, COUNTY_APPROVES)
    assert rules.acts_directly("civil_affairs", False, COUNTY_APPROVES)
    strict = Policy(required=True, approver_level=TOWNSHIP, approvers_act_directly=False)
    assert not rules.acts_directly("supervisor", False, strict)
    assert not rules.acts_directly("admin", True, strict)


def test_who_may_approve_each_level():
    assert rules.may_approve("supervisor", False, TOWNSHIP)
    assert not rules.may_approve("supervisor", False, COUNTY)
    assert rules.may_approve("civil_affairs", False, COUNTY)
    assert not rules.may_approve("director", False, TOWNSHIP)
    assert not rules.may_approve("liaison", False, TOWNSHIP)
    assert rules.may_approve("admin", True, COUNTY)
