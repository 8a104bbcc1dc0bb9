import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from tests.factories import ChildFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _shipped_plan_rules(db):
    """The default help-plan rules a data migration ships (flushed by transactional tests elsewhere)."""
    from accounts.models import Area
    from plans.models import PlanRequirement, PlanRuleSet
    from plans.rule_sets import load_rule_sets

    if not PlanRuleSet.objects.exists():
        load_rule_sets(Area, PlanRuleSet, PlanRequirement)


@pytest.fixture
def kids(tree):
    """Three open children of v1 (the director's village), one of v2, one of v3 (another township), one of v4
    (another county), and a closed archive of v1: names typed here, not made by the code under test."""
    from children.models import ArchiveStatus

    made = {
        "a": ChildFactory(village=tree.v1, name="甲一"),
        "b": ChildFactory(village=tree.v1, name="甲二"),
        "c": ChildFactory(village=tree.v1, name="甲三"),
        "v2": ChildFactory(village=tree.v2, name="乙一"),
        "v3": ChildFactory(village=tree.v3, name="丙一"),
        "far": ChildFactory(village=tree.v4, name="远方一"),
        "closed": ChildFactory(
            village=tree.v1,
            name="已销一",
            status=ArchiveStatus.CLOSED,
            close_reason="moved_away",
            closed_on=TODAY - datetime.timedelta(days=3),
        ),
    }
    return made


@pytest.fixture
def receiver(tree):
    """A second director of v1, who takes over when the first leaves."""
    return UserFactory(username="receiver", role=Role.DIRECTOR, areas=[tree.v1], last_name="李", first_name="接任")
