from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import PlanRequirement, PlanRuleSet


class RequirementInline(admin.StackedInline):
    model = PlanRequirement
    extra = 0
    fields = [
        "description",
        "source",
        "document",
        "clause",
        "category_mask",
        "colours",
        "risk_grades",
        "enrolments",
        "plan_kind",
    ]


@admin.register(PlanRuleSet)
class PlanRuleSetAdmin(admin.ModelAdmin):
    """The rules naming who must have a help plan are data, per region (plans.selectors.required_q reads them).
    Plans themselves are not in the admin: they are read through the gate (children.access) only."""

    list_display = ["name", "area", "source", "active"]
    raw_id_fields = ["area"]
    readonly_fields = ["prefix"]
    inlines = [RequirementInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "area", "prefix", "source", "active"],
                "description": gettext_lazy(
                    "A rule set applies to its area's whole subtree; the nearest set wins (no area: the default). A "
                    "child meeting any requirement must have an open help plan. In a requirement every condition "
                    "given must hold: the category mask is a sum of category bits (children/categories.py), colours, "
                    "risk grades and enrolments are comma-separated codes. A requirement without a document and a "
                    "clause is shown as the region's own choice."
                ),
            },
        )
    ]
