"""Load the shipped visit rule sets (fixtures/visit_rules.json). Used by a data migration, so it takes the
model classes as arguments (historical models have no custom save())."""

import json
from pathlib import Path

from accounts.areas import fixture_area
from children.categories import CATEGORY_BITS, PARENT_SITUATION_BITS

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "visit_rules.json"


def _mask(codes, bits) -> int:
    value = 0
    for code in codes or ():
        value |= bits[code]
    return value


def _basis(VisitRule, item: dict, rule: dict) -> dict:
    """The rule's document title and clause words, for a model that has those fields (visits 0009 on: the data
    migration of 0002 runs with the model as it was then, and 0009 fills them in)."""
    names = {f.name for f in VisitRule._meta.get_fields()}
    if "clause" not in names:
        return {}
    return {"document": rule.get("document", item.get("document", "")), "clause": rule.get("clause", "")}


def _screenings(RuleSet, item: dict) -> dict:
    """How many full screenings a year the region asks for, with the seed's words (visits 0010 on)."""
    if "screenings_per_year" not in {f.name for f in RuleSet._meta.get_fields()} or not item.get("screenings"):
        return {}
    given = item["screenings"]
    return {
        "screenings_per_year": given["per_year"],
        "screenings_source": given.get("source", ""),
        "screenings_clause": given.get("clause", ""),
    }


def fill_screenings(RuleSet, data: list | None = None) -> int:
    """Give the shipped rule sets that say nothing about screenings the fixture's number (Jiangsu's 一年两排, 002);
    a number an administrator set is left alone. Returns the rule sets changed."""
    from accounts.models import PREFIX_LENGTH

    data = data if data is not None else json.loads(FIXTURE.read_text(encoding="utf-8"))
    changed = 0
    for item in data:
        values = _screenings(RuleSet, item)
        if not values:
            continue
        prefix = item["area"]["code"][: PREFIX_LENGTH[item["area"]["level"]]] if item["area"] else ""
        changed += RuleSet.objects.filter(prefix=prefix, screenings_per_year__isnull=True).update(**values)
    return changed


def fill_basis(RuleSet, VisitRule, data: list | None = None) -> int:
    """Give the shipped rules that have no document and clause yet those of the fixture (matched by the area of their
    rule set and their description), and where the fixture corrects a rule's source (a seed was named that does not
    say it), that source. Rules the administrators wrote or rewrote are left alone. Returns the rules changed."""
    from accounts.models import PREFIX_LENGTH

    data = data if data is not None else json.loads(FIXTURE.read_text(encoding="utf-8"))
    changed = 0
    for item in data:
        prefix = item["area"]["code"][: PREFIX_LENGTH[item["area"]["level"]]] if item["area"] else ""
        set_ids = RuleSet.objects.filter(prefix=prefix).values("pk")
        for rule in item["rules"]:
            rows = VisitRule.objects.filter(
                rule_set__in=set_ids, description=rule["description"], document="", clause=""
            )
            basis = _basis(VisitRule, item, rule)
            if basis["document"] and basis["clause"]:
                changed += rows.update(**basis)
            elif rule["source"] != item["source"]:  # shipped with the set's source, corrected in the fixture
                changed += rows.filter(source=item["source"]).update(source=rule["source"])
    return changed


def load_rule_sets(Area, RuleSet, VisitRule, data: list | None = None) -> int:
    """Create the shipped rule sets that are missing (an existing set is never overwritten: admins own it)."""
    data = data if data is not None else json.loads(FIXTURE.read_text(encoding="utf-8"))
    created = 0
    for item in data:
        area = fixture_area(Area, item)
        prefix = area.prefix if area else ""
        if RuleSet.objects.filter(prefix=prefix).exists():
            continue
        rule_set = RuleSet.objects.create(
            name=item["name"], area=area, prefix=prefix, source=item["source"], **_screenings(RuleSet, item)
        )
        for rule in item["rules"]:
            VisitRule.objects.create(
                rule_set=rule_set,
                description=rule["description"],
                source=rule["source"],
                **_basis(VisitRule, item, rule),
                category_mask=_mask(rule.get("categories"), CATEGORY_BITS),
                parent_mask=_mask(rule.get("parent_situations"), PARENT_SITUATION_BITS),
                risk_grades=",".join(rule.get("risk_grades", [])),
                colours=",".join(rule.get("colours", [])),
                max_disability_grade=rule.get("max_disability_grade"),
                home_visit_days=rule.get("home_visit_days"),
                contact_days=rule.get("contact_days"),
                unspecified_in_source=rule.get("unspecified_in_source", False),
            )
        created += 1
    return created
