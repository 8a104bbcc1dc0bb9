"""Mandatory reports and referrals as spreadsheets (django-import-export resources)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields

from children.exports import SafeResource

from .models import Referral, Report


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class ReportResource(SafeResource):
    created_at = fields.Field(column_name=_("reported at"))
    child = fields.Field(column_name=_("child"))
    area = fields.Field(attribute="area__name", column_name=_("area"))
    harm_type = fields.Field(column_name=_("kind of harm"))
    status = fields.Field(column_name=_("status"))
    handling_department = fields.Field(attribute="handling_department__name", column_name=_("handling department"))
    acknowledged_at = fields.Field(column_name=_("acknowledged at"))
    closed_at = fields.Field(column_name=_("closed at"))
    found_at = fields.Field(column_name=_("found at"))
    delay = fields.Field(column_name=_("reported after"))

    class Meta:
        model = Report
        fields = ("created_at", "child", "area", "harm_type", "status", "handling_department", "acknowledged_at")
        fields = (*fields, "closed_at", "found_at", "delay")
        export_order = fields

    def dehydrate_found_at(self, r):
        return _local(r.found_at)

    def dehydrate_delay(self, r):
        """The delay between finding and reporting, marked when late (guardianship.rules.reported_late)."""
        return f"{r.delay_text} {_('late')}" if r.late else r.delay_text

    def dehydrate_created_at(self, r):
        return _local(r.created_at)

    def dehydrate_child(self, r):
        return r.child.name if r.child_id else r.child_description

    def dehydrate_harm_type(self, r):
        return str(r.get_harm_type_display()) if r.harm_type else ""

    def dehydrate_status(self, r):
        return str(r.get_status_display())

    def dehydrate_acknowledged_at(self, r):
        return _local(r.acknowledged_at)

    def dehydrate_closed_at(self, r):
        return _local(r.closed_at)


class ReferralResource(SafeResource):
    created_at = fields.Field(column_name=_("referred at"))
    child = fields.Field(attribute="child__name", column_name=_("child"))
    department = fields.Field(attribute="department__name", column_name=_("department"))
    organisation = fields.Field(attribute="organisation__name", column_name=_("organisation"))
    service = fields.Field(column_name=_("service"))
    due_on = fields.Field(attribute="due_on", column_name=_("due on"))
    status = fields.Field(column_name=_("status"))
    result = fields.Field(attribute="result", column_name=_("result"))

    class Meta:
        model = Referral
        fields = ("created_at", "child", "department", "organisation", "service", "due_on", "status", "result")
        export_order = fields

    def dehydrate_created_at(self, r):
        return _local(r.created_at)

    def dehydrate_status(self, r):
        return str(r.get_status_display())

    def dehydrate_service(self, r):
        return str(r.get_service_display())
