"""Children in the admin go through the access module like everywhere else, and cannot be deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import access
from .models import AccessLog, Child, IdentificationRules


class GatedAdminMixin:
    """Admin pages of a child or of a record hanging off a child (`child_path` names the child) write the access
    log like every other page: the change page's object passes the gate's log, once per request."""

    child_path = "child"

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            child_id = obj.pk if self.child_path == "" else getattr(obj, f"{self.child_path}_id")
            if child_id is not None:
                access.log_access(request, child_id, access.AccessAction.VIEW)
        return obj


@admin.register(Child)
class ChildAdmin(GatedAdminMixin, SimpleHistoryAdmin):
    child_path = ""
    list_display = ["name", "village", "status", "colour", "registered_on"]
    list_filter = ["status", "colour"]
    search_fields = ["name", "=id_number"]
    raw_id_fields = ["village", "created_by"]
    list_select_related = ["village"]
    show_full_result_count = False

    def get_queryset(self, request):
        return access.visible_children(request.user)

    def has_add_permission(self, request):
        return False  # register through the app: ID checks, duplicates, schedule

    def has_change_permission(self, request, obj=None):
        return False  # read-only here; edits, transfers and closing go through the archive pages

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "client", "child", "action"]
    list_filter = ["action"]
    raw_id_fields = ["user", "child", "client"]
    list_select_related = ["user", "child", "client"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(child__in=access.visible_children(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IdentificationRules)
class IdentificationRulesAdmin(admin.ModelAdmin):
    """A region's identification rules (children.rules.Region): the left-behind age limit and months away."""

    list_display = ["name", "area", "left_behind_max_age", "left_behind_months_away"]
    raw_id_fields = ["area"]
