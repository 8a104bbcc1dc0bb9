"""Excel export of the task matrix (django-import-export), with formula injection neutralised."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Assignment

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """A text cell starting like a formula is prefixed with an apostrophe, so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class AssignmentResource(resources.ModelResource):
    plan = fields.Field(attribute="task__action__plan__title", column_name=_("plan"))
    action = fields.Field(attribute="task__action__name", column_name=_("action"))
    number = fields.Field(attribute="task__number", column_name=_("number"))
    content = fields.Field(attribute="task__content", column_name=_("content"))
    unit = fields.Field(attribute="original_name", column_name=_("unit as written"))
    department = fields.Field(attribute="department__name", column_name=_("department"))
    status = fields.Field(attribute="status", column_name=_("status"))
    updated_at = fields.Field(attribute="updated_at", column_name=_("updated at"))

    class Meta:
        model = Assignment
        fields = ("plan", "action", "number", "content", "unit", "department", "status", "updated_at")
        export_order = fields

    def dehydrate_status(self, obj):
        return str(obj.get_status_display())

    def export_field(self, field, instance, **kwargs):
        return neutral(super().export_field(field, instance, **kwargs))
