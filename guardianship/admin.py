from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from children.admin import GatedAdminMixin

from .models import Assessment, Dimension, Instrument, Item, Option, Report


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "area", "active", "medium_from", "high_from"]
    raw_id_fields = ["area"]
    inlines = [DimensionInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["name", "version", "area", "active", "source", "medium_from", "high_from"],
                "description": _(
                    "The shipped instrument is only an example. Regions should load their local standard "
                    "(e.g. Qingdao's 《未成年人家庭监护能力评估工作规范》) as a new instrument with its own version; "
                    "assessments keep the version they were made with, so do not change a version in use."
                ),
            },
        )
    ]


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["text", "dimension"]
    list_filter = ["dimension__instrument"]
    inlines = [OptionInline]


@admin.register(Assessment)
class AssessmentAdmin(GatedAdminMixin, admin.ModelAdmin):
    list_display = ["child", "assessed_on", "grade", "score", "instrument"]
    raw_id_fields = ["child", "assessor"]

    def get_queryset(self, request):
        from children import access

        return super().get_queryset(request).filter(child__in=access.visible_children(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(GatedAdminMixin, admin.ModelAdmin):
    """Read-only: reports are filed and moved along in the app (its workflow and notifications)."""

    list_display = ["created_at", "harm_type", "area", "child", "status", "handling_department"]
    list_filter = ["status", "harm_type"]
    list_select_related = ["area", "child", "handling_department"]
    raw_id_fields = ["child", "area", "visit", "reporter", "handling_department", "acknowledged_by"]
    show_full_result_count = False

    def get_queryset(self, request):
        from . import reports

        return reports.reports_for(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
