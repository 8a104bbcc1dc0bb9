from django.contrib import admin

from .models import PlanRequirement, PlanRuleSet


class RequirementInline(admin.TabularInline):
    model = PlanRequirement
    extra = 0


@admin.register(PlanRuleSet)
class PlanRuleSetAdmin(admin.ModelAdmin):
    """The rules naming who must have a help plan are data, per region (plans.selectors.required_q reads them).
    Plans themselves are not in the admin: they are read through the gate (children.access) only."""

    list_display = ["name", "area", "source", "active"]
    inlines = [RequirementInline]
