"""Load the shipped help-plan rule sets (fixtures/plan_rules.json). Used by a data migration, so it takes the model
classes as arguments (historical models have no custom save())."""

import json
from pathlib import Path

from accounts.areas import fixture_area
from children.categories import CATEGORY_BITS

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "plan_rules.json"


def load_rule_sets(Area, PlanRuleSet, PlanRequirement, data: list | None = None) -> int:
    """Create the shipped rule sets that are missing (an existing set is never overwritten: admins own it)."""
    data = data if data is not None else json.loads(FIXTURE.read_text(encoding="utf-8"))
    created = 0
    for item in data:
        area = fixture_area(Area, item)
        prefix = area.prefix if area else ""
        if PlanRuleSet.objects.filter(prefix=prefix).exists():
            continue
        rule_set = PlanRuleSet.objects.create(name=item["name"], area=area, prefix=prefix, source=item["source"])
        for req in item["requirements"]:
            mask = 0
            for code in req.get("categories", ()):
                mask |= CATEGORY_BITS[code]
            PlanRequirement.objects.create(
                rule_set=rule_set,
                description=req["description"],
                source=req["source"],
                document=req.get("document", ""),
                clause=req.get("clause", ""),
                category_mask=mask,
                colours=",".join(req.get("colours", [])),
                risk_grades=",".join(req.get("risk_grades", [])),
                enrolments=",".join(req.get("enrolments", [])),
                plan_kind=req.get("plan_kind", "general"),
            )
        created += 1
    return created
