from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import HolidayCalendar, OperationTarget, Site


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "area", "status", "operating_since"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "area__code"]
    raw_id_fields = ["area"]


@admin.register(OperationTarget)
class OperationTargetAdmin(admin.ModelAdmin):
    list_display = ["area", "year", "percent", "source"]
    raw_id_fields = ["area"]


@admin.register(HolidayCalendar)
class HolidayCalendarAdmin(admin.ModelAdmin):
    list_display = ["area", "winter_month", "winter_day", "summer_month", "summer_day", "window_days", "remind_days"]
    raw_id_fields = ["area"]
