import pytest


@pytest.fixture(autouse=True)
def _shipped_plan_rules(db):
    """The default help-plan rules a data migration ships (flushed by transactional tests elsewhere)."""
    from accounts.models import Area
    from plans.models import PlanRequirement, PlanRuleSet
    from plans.rule_sets import load_rule_sets

    if not PlanRuleSet.objects.exists():
        load_rule_sets(Area, PlanRuleSet, PlanRequirement)
