"""Visit lists (本周待访, overdue) as spreadsheets: django-import-export resources over the schedule rows."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields

from children import privacy
from children.exports import SafeResource
from children.models import Child

from . import rules
from .models import VisitSchedule


class ScheduleResource(SafeResource):
    """One row per child: who, where, when the last visits were and when the next is due."""

    name = fields.Field(attribute="child__name", column_name=_("name"))
    id_number = fields.Field(column_name=_("ID number"))
    township = fields.Field(attribute="village__parent__name", column_name=_("township"))
    village = fields.Field(attribute="village__name", column_name=_("village"))
    last_home_on = fields.Field(attribute="last_home_on", column_name=_("last home visit"))
    last_contact_on = fields.Field(attribute="last_contact_on", column_name=_("last contact"))
    due_on = fields.Field(attribute="due_on", column_name=_("due on"))
    days_overdue = fields.Field(column_name=_("days overdue"))

    class Meta:
        model = VisitSchedule
        fields = ("name", "id_number", "township", "village", "last_home_on", "last_contact_on", "due_on")
        fields = (*fields, "days_overdue")
        export_order = fields

    def __init__(self, *, user=None, full_ids: bool | None = None, today: datetime.date | None = None, **kwargs):
        """ID numbers as `user` may see them (children.privacy; no user: masked); `full_ids` overrides that."""
        super().__init__(**kwargs)
        self.full_ids = privacy.sees_full(user) if full_ids is None else full_ids
        self.today = today or timezone.localdate()

    def dehydrate_id_number(self, row: VisitSchedule) -> str:
        return privacy.shown(row.child.id_number, privacy.kind_of(Child, "id_number"), full=self.full_ids)

    def dehydrate_days_overdue(self, row: VisitSchedule):
        return rules.days_overdue(row.due_on, self.today) if row.due_on else ""
