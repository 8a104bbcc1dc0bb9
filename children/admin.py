"""Children in the admin go through the access module like everywhere else, and cannot be deleted."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import access
from .models import AccessLog, Child


@admin.register(Child)
class ChildAdmin(SimpleHistoryAdmin):
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
    list_display = ["at", "user", "child", "action"]
    list_filter = ["action"]
    raw_id_fields = ["user", "child"]
    list_select_related = ["user", "child"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(child__in=access.visible_children(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
