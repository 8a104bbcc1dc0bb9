from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from children import access
from children.admin import GatedAdminMixin

from . import schedule_jobs
from .models import RuleSet, ScreeningCampaign, Visit, VisitRule


class VisitRuleInline(admin.StackedInline):
    model = VisitRule
    extra = 0
    fields = [
        "description",
        "source",
        "document",
        "clause",
        "category_mask",
        "parent_mask",
        "risk_grades",
        "colours",
        "max_disability_grade",
        "home_visit_days",
        "contact_days",
        "unspecified_in_source",
    ]


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "source", "active"]
    raw_id_fields = ["area"]
    inlines = [VisitRuleInline]
    readonly_fields = ["prefix", "recomputation"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "area",
                    "prefix",
                    "recomputation",
                    "source",
                    "active",
                    "screenings_per_year",
                    "screenings_source",
                    "screenings_clause",
                ],
                "description": gettext_lazy(
                    "Rules apply to the area's whole subtree; the nearest rule set wins. Masks are sums of "
                    "category bits (children/categories.py). Rules marked 'the source says only more often' "
                    "carry the default of 14 days: set your region's own. Saving queues a background job that "
                    "recomputes the due dates of every child of the area: the changed rules apply from when that "
                    "job finishes (the message after saving links to its progress)."
                ),
            },
        )
    ]

    @admin.display(description=gettext_lazy("Recomputation of the due dates"))
    def recomputation(self, obj):
        """The latest job recomputing this rule set's area: until it has finished, the rules before apply."""
        job = schedule_jobs.latest_for(obj.prefix) if obj.pk else None
        if job is None:
            return "—"
        if job.finished:
            return _("Job #%(pk)s: %(state)s at %(at)s.") % {
                "pk": job.pk,
                "state": job.get_state_display(),
                "at": date_format(timezone.localtime(job.finished_at), "DATETIME_FORMAT"),
            }
        return _("Job #%(pk)s: %(state)s. The changed rules apply from when it finishes.") % {
            "pk": job.pk,
            "state": job.get_state_display(),
        }

    def save_model(self, request, obj, form, change):
        obj._old_prefix = RuleSet.objects.filter(pk=obj.pk).values_list("prefix", flat=True).first() if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and not form.has_changed() and not any(formset.has_changed() for formset in formsets):
            return
        self._recompute(request, {form.instance.prefix, getattr(form.instance, "_old_prefix", None)} - {None})

    def delete_model(self, request, obj):
        prefix = obj.prefix
        super().delete_model(request, obj)
        self._recompute(request, {prefix})

    def delete_queryset(self, request, queryset):
        prefixes = set(queryset.values_list("prefix", flat=True))
        super().delete_queryset(request, queryset)
        self._recompute(request, prefixes)

    def _recompute(self, request, prefixes: set[str]) -> None:
        """Queue the recomputation of the areas' schedules (visits.schedule_jobs) and link to its job."""
        if not prefixes:
            return
        job = schedule_jobs.start_refresh(user=request.user, prefixes=prefixes)
        self.message_user(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                _(
                    "The visit schedules of the area are being recomputed in the background. The changed rules "
                    "apply from when that job finishes."
                ),
                reverse("children:job", args=[job.pk]),
                _("Follow job #%(pk)s") % {"pk": job.pk},
            ),
            messages.INFO,
        )


@admin.register(Visit)
class VisitAdmin(GatedAdminMixin, admin.ModelAdmin):
    list_display = ["child", "kind", "visited_at", "created_by", "created_at"]
    list_filter = ["kind", "harm_found"]
    raw_id_fields = ["child", "created_by"]
    list_select_related = ["child", "created_by"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(child__in=access.visible_children(request.user).values("pk"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # visits are logged and edited in the app, which keeps the schedule current

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScreeningCampaign)
class ScreeningCampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "starts_on", "deadline"]
    raw_id_fields = ["area", "created_by"]
