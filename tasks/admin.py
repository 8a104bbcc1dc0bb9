from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Action, Assignment, Milestone, Phase, Plan, PlanTask


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["seed", "title", "region", "start_year", "end_year", "report_deadline"]
    raw_id_fields = ["region"]
    inlines = [PhaseInline, MilestoneInline]


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["plan", "number", "name"]
    list_filter = ["plan"]


@admin.register(PlanTask)
class PlanTaskAdmin(admin.ModelAdmin):
    list_display = ["action", "number", "content", "recurrence"]
    list_filter = ["action__plan", "recurrence"]
    search_fields = ["content"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["task", "department", "original_name", "status", "updated_at"]
    list_filter = ["status", "task__action__plan"]
    raw_id_fields = ["task", "department", "updated_by"]
    list_select_related = ["task", "department"]

    def has_delete_permission(self, request, obj=None):
        return False
