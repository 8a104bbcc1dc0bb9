"""The shipped rule sets, as DOMAIN.md §3 states them, through the real set-based schedule refresh."""

import datetime

import pytest

from accounts.models import Area, AreaLevel
from children.categories import CATEGORY_BITS, PARENT_SITUATION_BITS
from tests.factories import ChildFactory, area
from visits import rules, schedule
from visits.models import VisitSchedule

REGISTERED = datetime.date(2026, 1, 1)


def village_in(region_code: str) -> Area:
    region = Area.objects.get(code=region_code)
    county_code = region.code if region.level == AreaLevel.COUNTY else region.code[:4] + "99"
    county = region if region.level == AreaLevel.COUNTY else area(county_code, "测试县", AreaLevel.COUNTY, region)
    township = area(county.code + "001", "测试镇", AreaLevel.TOWNSHIP, county)
    return area(township.code + "001", "测试村", AreaLevel.VILLAGE, township)


def intervals(region_code: str, categories=(), parents=(), risk="", colour="green", disability_grade=None):
    child = ChildFactory(
        village=village_in(region_code),
        registered_on=REGISTERED,
        colour=colour,
        risk_grade=risk,
        category_flags=sum(CATEGORY_BITS[c] for c in categories),
        parent_flags=sum(PARENT_SITUATION_BITS[p] for p in parents),
        disability="physical" if disability_grade else "",
        disability_grade=disability_grade,
    )
    schedule.refresh(child_ids=[child.pk])
    s = VisitSchedule.objects.get(child=child)
    return s.home_days, s.contact_days


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "home", "contact"),
    [
        ({"categories": ["orphan_scattered"]}, 30, None),  # 000 #27 monthly
        ({"categories": ["de_facto_unsupported"]}, 30, None),
        ({"categories": ["left_behind_rural"]}, 90, None),  # every 3 months
        ({"categories": ["key_difficulty"]}, 90, None),
        ({"categories": ["other_difficulty"]}, 90, None),
        ({"categories": ["left_behind_rural", "dropout"]}, 30, None),  # follow-up monthly
        ({"categories": ["left_behind_rural", "poor_guardianship"]}, 30, None),
        ({"categories": ["other_difficulty", "vagrancy_history"]}, 30, None),
        ({"categories": ["disabled"], "disability_grade": 1}, 14, None),  # severe: monthly, and "more often"
        # The child's own disability, any grade: "more often" (000 #27 qualifies only the parents' as severe).
        ({"categories": ["left_behind_rural", "disabled"], "disability_grade": 4}, 14, None),
        ({"categories": ["left_behind_rural", "disabled"], "disability_grade": 3}, 14, None),
        ({"categories": ["left_behind_rural", "disabled"]}, 14, None),  # grade not recorded
        ({"categories": ["left_behind_rural", "single_parent"]}, 14, 14),  # more often + phone/WeChat
        ({"categories": ["left_behind_rural"], "parents": ["severe_disability"]}, 14, None),
        ({"categories": ["left_behind_rural", "psych_abnormal"]}, 14, None),
        ({"categories": ["left_behind_urban"]}, 90, 30),  # no Qingdao rule: the default set applies
    ],
)
def test_qingdao(kwargs, home, contact):
    assert intervals("370200", **kwargs) == (home, contact)


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["330903", "120116"])  # Putuo 003 §8 and Binhai 004 §8 say the same
@pytest.mark.parametrize(
    ("kwargs", "home", "contact"),
    [
        ({"categories": ["left_behind_rural"]}, 90, 30),
        ({"categories": ["left_behind_urban"]}, 90, 30),
        ({"categories": ["other_difficulty"]}, 90, 30),
        ({"categories": ["left_behind_rural"], "risk": "medium"}, 14, 30),  # more often than 90
        ({"categories": ["left_behind_rural"], "risk": "high"}, 14, 30),
        ({"categories": ["left_behind_rural"], "risk": "low"}, 90, 30),
        ({"categories": ["left_behind_rural"], "parents": ["severe_disability"]}, 14, 30),
        ({"categories": ["left_behind_rural", "disabled"], "disability_grade": 3}, 14, 30),
        ({"categories": ["left_behind_rural", "psych_abnormal"]}, 14, 30),
    ],
)
def test_putuo_and_binhai(region, kwargs, home, contact):
    assert intervals(region, **kwargs) == (home, contact)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kwargs", "home"),
    [
        ({"categories": ["left_behind_rural"], "colour": "green"}, 30),  # 一月一访
        ({"categories": ["left_behind_rural"], "colour": "yellow"}, 30),
        ({"categories": ["left_behind_rural"], "colour": "orange"}, 14),  # four colours: more often
        ({"categories": ["orphan_scattered"], "colour": "red"}, 14),
    ],
)
def test_jiangsu(kwargs, home):
    assert intervals("320000", **kwargs)[0] == home


@pytest.mark.django_db
def test_nearest_rule_set_wins_and_a_rule_change_recomputes_the_area(tree):
    from visits.models import RuleSet, VisitRule

    child = ChildFactory(village=tree.v1, registered_on=REGISTERED, category_flags=CATEGORY_BITS["left_behind_rural"])
    schedule.refresh(child_ids=[child.pk])
    assert VisitSchedule.objects.get(child=child).home_days == 90  # Qingdao
    county_set = RuleSet.objects.create(name="平度市", area=tree.county)
    VisitRule.objects.create(rule_set=county_set, description="每月", source="local", home_visit_days=30)
    # The stricter rule applies from the day the refresh applies it (ten days after the registration here): due 30
    # days from then, not 30 days from the registration (issue 15: no back-dated obligation).
    applied = REGISTERED + datetime.timedelta(days=10)
    schedule.refresh(area_prefix=tree.county.prefix, changed_on=applied)
    s = VisitSchedule.objects.get(child=child)
    assert (s.home_days, s.home_since) == (30, applied)
    assert s.home_due_on == REGISTERED + datetime.timedelta(days=40)


def test_python_matching_mirrors_the_rules():
    class R:
        category_mask = CATEGORY_BITS["dropout"] | CATEGORY_BITS["vagrancy_history"]
        parent_mask = 0
        risk_grades = "medium,high"
        colours = ""
        max_disability_grade = None

    assert rules.rule_matches(R, rules.ChildFacts(category_flags=CATEGORY_BITS["dropout"], risk_grade="high"))
    assert not rules.rule_matches(R, rules.ChildFacts(category_flags=CATEGORY_BITS["dropout"], risk_grade="low"))
    assert not rules.rule_matches(R, rules.ChildFacts(category_flags=CATEGORY_BITS["dropout"]))


@pytest.mark.parametrize(
    ("due", "status", "days"),
    [
        (datetime.date(2026, 11, 21), "overdue", 1),
        (datetime.date(2026, 10, 23), "overdue", 30),
        (datetime.date(2026, 11, 22), "due_soon", 0),
        (datetime.date(2026, 11, 29), "due_soon", 0),
        (datetime.date(2026, 11, 30), "on_time", 0),
        (None, "no_rule", 0),
    ],
)
def test_status_for(due, status, days):
    assert rules.status_for(due, datetime.date(2026, 11, 22)) == (status, days)


@pytest.mark.django_db
def test_a_few_children_match_on_the_full_village_code_as_the_whole_refresh_does():
    """Up to schedule.FEW_CHILDREN children are matched on their full village code, skipping the query for the
    longest rule prefix; the schedules must be those the whole-table refresh computes."""
    kinds = [
        {"category_flags": CATEGORY_BITS["orphan_scattered"]},
        {"category_flags": CATEGORY_BITS["left_behind_rural"] | CATEGORY_BITS["single_parent"]},
        {"category_flags": CATEGORY_BITS["left_behind_urban"]},
        {"category_flags": CATEGORY_BITS["disabled"], "disability": "physical", "disability_grade": 1},
        {"category_flags": CATEGORY_BITS["left_behind_rural"], "risk_grade": "high"},
    ]
    villages = [village_in(code) for code in ("370200", "320000", "330903", "370000")]
    ids = [ChildFactory(village=v, registered_on=REGISTERED, **k).pk for v in villages for k in kinds]

    def snapshot():
        return sorted(VisitSchedule.objects.values_list("child_id", "home_days", "contact_days", "rule_ids"))

    schedule.refresh()
    whole = snapshot()
    assert len({row[1:3] for row in whole}) > 3  # the regions and kinds really lead to different rules
    VisitSchedule.objects.all().delete()
    schedule.refresh(child_ids=ids)
    assert snapshot() == whole


# The least a visit says and the future, as pure rules (issue 15).


def test_what_each_kind_of_visit_must_fill():
    empty = {}
    assert rules.missing_fields("home", empty) == [
        "met_whom",
        "living_conditions",
        "caregiver_status",
        "safety_hazards",
        "mood",
    ]
    assert rules.missing_fields("contact", empty) == ["met_whom", "channel"]
    full_home = {
        "met_whom": "奶奶",
        "living_conditions": "good",
        "caregiver_status": "fair",
        "safety_hazards": "无",
        "mood": "good",
    }
    assert rules.missing_fields("home", full_home) == []
    assert rules.missing_fields("home", {**full_home, "met_whom": " \t"}) == ["met_whom"]
    assert rules.missing_fields("contact", {"met_whom": "父亲", "channel": "wechat"}) == []


SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.mark.parametrize(
    ("visited", "now", "future"),
    [
        ((2026, 3, 11, 0, 5), (2026, 3, 10, 23, 55), True),  # 10 minutes ahead, but tomorrow's date
        ((2026, 3, 10, 23, 59), (2026, 3, 10, 23, 55), False),  # a phone's clock a little fast: allowed today
        ((2026, 3, 10, 12, 11), (2026, 3, 10, 12, 0), True),  # more than 10 minutes ahead
        ((2026, 3, 10, 12, 10), (2026, 3, 10, 12, 0), False),
        ((2026, 3, 9, 23, 59), (2026, 3, 10, 0, 1), False),
    ],
)
def test_a_visit_is_in_the_future_by_its_local_date_first(visited, now, future):
    at = datetime.datetime(*visited, tzinfo=SHANGHAI)
    assert rules.is_in_future(at, datetime.datetime(*now, tzinfo=SHANGHAI)) is future


# Which rule decides, and on what basis (issue 15).


def test_the_strictest_rule_decides_each_interval_and_the_first_of_equals():
    from types import SimpleNamespace as R

    general = R(home_visit_days=90, contact_days=30)
    risk = R(home_visit_days=14, contact_days=None)
    also_14 = R(home_visit_days=14, contact_days=None)
    assert rules.deciding([general, risk, also_14]) == (risk, general)
    assert rules.deciding([general]) == (general, general)
    assert rules.deciding([]) == (None, None)


PUTUO_RISK_CLAUSE = (
    "对父母双方或一方存在严重身体或精神智力残疾，以及儿童自身存在身体或精神智力残疾、有心理或行为异常的、"
    "经家庭监护能力评估为中高风险的，儿童主任要加大走访频次"
)


@pytest.mark.django_db
def test_shipped_rules_without_their_basis_get_it_from_the_fixture_and_edited_ones_are_kept():
    """visits 0009 on a database that has the rule sets from before: the clause words and titles are filled in."""
    from visits.models import RuleSet, VisitRule
    from visits.rule_sets import fill_basis

    VisitRule.objects.update(document="", clause="")
    binhai_risk = VisitRule.objects.get(rule_set__prefix="120116", risk_grades="medium,high")
    binhai_risk.source = "004 §8"  # as shipped before: 004 §8 does not say it
    binhai_risk.save()
    edited = VisitRule.objects.get(rule_set__prefix="3702", description="心理或行为异常的儿童增加走访频次")
    edited.document, edited.clause = "平度市本地规定", "本地条款"
    edited.save()

    fill_basis(RuleSet, VisitRule)

    putuo_risk = VisitRule.objects.get(rule_set__prefix="330903", risk_grades="medium,high")
    assert putuo_risk.clause == PUTUO_RISK_CLAUSE
    assert putuo_risk.document == "普陀区留守儿童和困境儿童关爱服务质量提升三年行动实施方案"
    assert not putuo_risk.is_local_choice
    binhai_risk.refresh_from_db()
    assert binhai_risk.is_local_choice and binhai_risk.source != "004 §8" and "004 §8" in binhai_risk.source
    edited.refresh_from_db()
    assert (edited.document, edited.clause) == ("平度市本地规定", "本地条款")
    default = VisitRule.objects.get(rule_set__prefix="")
    assert default.is_local_choice
    assert VisitRule.objects.filter(clause="").count() == 2  # the default rule and Binhai's own choice


@pytest.mark.django_db
def test_qingdao_own_disability_rule_as_shipped_before_is_corrected_and_an_edited_one_kept():
    """children 0008 on a database with the rule as first shipped (grade 1–2 only)."""
    import importlib

    from django.apps import apps as global_apps

    from visits.models import VisitRule

    migration = importlib.import_module("children.migrations.0008_qingdao_own_disability_any_grade")
    rule = VisitRule.objects.get(rule_set__prefix="3702", description=migration.NEW)
    assert rule.max_disability_grade is None and rule.home_visit_days == 14
    rule.description, rule.max_disability_grade = migration.OLD, 2  # as shipped before
    rule.save()
    putuo = VisitRule.objects.get(rule_set__prefix="330903", description="本人残疾的儿童增加走访频次")

    migration.any_grade(global_apps, None)

    rule.refresh_from_db()
    assert (rule.description, rule.max_disability_grade) == (migration.NEW, None)
    assert intervals("370200", categories=["disabled"], disability_grade=4) == (14, None)
    putuo.refresh_from_db()
    assert putuo.max_disability_grade is None  # untouched

    rule.description, rule.max_disability_grade = "平度市：本人一级残疾", 1  # the region's own rewrite
    rule.save()
    migration.any_grade(global_apps, None)
    rule.refresh_from_db()
    assert rule.max_disability_grade == 1
