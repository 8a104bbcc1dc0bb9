"""Regions' approval settings are data, kept in the admin. Requests themselves are only reached through their pages
(approvals.views), which pass the access gate; they have no admin page."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApprovalSetting


def _kind_choices():
    kinds = sorted(services.registered().items())
    return [("", _("Every kind of change")), *((code, kind.label) for code, kind in kinds)]


class ApprovalSettingForm(forms.ModelForm):
    kind = forms.ChoiceField(label=_("kind of change"), choices=_kind_choices, required=False)

    class Meta:
        model = ApprovalSetting
        fields = ["name", "area", "kind", "required", "approver_level", "approvers_act_directly", "source"]


@admin.register(ApprovalSetting)
class ApprovalSettingAdmin(admin.ModelAdmin):
    """Whether a region's changes wait for approval, and who approves (the nearest region's setting applies)."""

    form = ApprovalSettingForm
    list_display = ["name", "area", "kind", "required", "approver_level", "approvers_act_directly"]
    raw_id_fields = ["area"]

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.area_id is not None  # the default stays (edit it instead)
