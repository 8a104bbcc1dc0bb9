"""Excel export of the task matrix (django-import-export), with formula injection neutralised."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from children.exports import neutral

from .models import Assignment


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


# --- A region's own plan, imported from a spreadsheet -------------------------------------------------------

PLAN_COLUMNS = {  # header in the template -> meaning
    "行动序号": "action_number",
    "行动名称": "action_name",
    "任务序号": "number",
    "任务内容": "content",
    "量化目标": "target",
    "周期": "recurrence",
    "每周期至少次数": "recurrence_min_count",
    "责任单位": "units",
}
RECURRENCE_WORDS = {"": "", "每年": "yearly", "每季度": "quarterly", "每月": "monthly"}
UNIT_SEPARATORS = ("、", "，", ",", "；", ";")


class PlanTaskResource(resources.ModelResource):
    """One spreadsheet row = one task of the plan given by the import form; its units become assignments.

    Actions are created from their number and name; departments are matched by name within the plan's region
    (or created). Errors name the row and say what is wrong, in Chinese; nothing is written if any row fails."""

    action_number = fields.Field(column_name="行动序号")
    action_name = fields.Field(column_name="行动名称")
    number = fields.Field(attribute="number", column_name="任务序号")
    content = fields.Field(attribute="content", column_name="任务内容")
    target = fields.Field(attribute="target", column_name="量化目标")
    recurrence = fields.Field(attribute="recurrence", column_name="周期")
    recurrence_min_count = fields.Field(attribute="recurrence_min_count", column_name="每周期至少次数")
    units = fields.Field(column_name="责任单位")

    class Meta:
        from .models import PlanTask

        model = PlanTask
        fields = (
            "action_number",
            "action_name",
            "number",
            "content",
            "target",
            "recurrence",
            "recurrence_min_count",
            "units",
        )
        import_id_fields = ("number",)
        skip_unchanged = False
        use_transactions = True

    def __init__(self, plan=None, **kwargs):
        super().__init__(**kwargs)
        self.plan = plan
        self._order = 0

    def get_queryset(self):
        from .models import PlanTask

        return PlanTask.objects.filter(action__plan=self.plan)

    def get_instance(self, instance_loader, row):
        return self.get_queryset().filter(action__number=row.get("_action_number"), number=row.get("任务序号")).first()

    def before_import_row(self, row, **kwargs):
        from django.core.exceptions import ValidationError

        errors = {}
        try:
            row["_action_number"] = int(str(row.get("行动序号") or "").strip().split(".")[0])
        except ValueError:
            errors["行动序号"] = "行动序号必须是整数"
        for column in ("行动名称", "任务序号", "任务内容", "责任单位"):
            if not str(row.get(column) or "").strip():
                errors[column] = f"“{column}”不能为空"
        word = str(row.get("周期") or "").strip()
        if word not in RECURRENCE_WORDS:
            errors["周期"] = "周期只能填写：每年、每季度、每月，或留空"
        count = str(row.get("每周期至少次数") or "").strip()
        if count and not count.split(".")[0].isdigit():
            errors["每周期至少次数"] = "每周期至少次数必须是整数"
        if errors:
            raise ValidationError(errors)
        row["周期"] = RECURRENCE_WORDS[word]
        row["每周期至少次数"] = int(count.split(".")[0]) if count else None
        row["任务序号"] = str(row["任务序号"]).strip().removesuffix(".0")

    def before_save_instance(self, instance, row, **kwargs):
        from .models import Action

        action, _created = Action.objects.get_or_create(
            plan=self.plan, number=row["_action_number"], defaults={"name": str(row["行动名称"]).strip()}
        )
        instance.action = action
        self._order += 1
        instance.order = self._order
        instance.target = instance.target or ""

    def after_save_instance(self, instance, row, **kwargs):
        from .models import Assignment
        from .plans import department_for

        text = str(row["责任单位"])
        for sep in UNIT_SEPARATORS[1:]:
            text = text.replace(sep, UNIT_SEPARATORS[0])
        for order, name in enumerate(n.strip() for n in text.split(UNIT_SEPARATORS[0]) if n.strip()):
            dept = department_for(self.plan.region, "other", name)
            Assignment.objects.get_or_create(
                task=instance, department=dept, defaults={"original_name": name, "order": order}
            )


def plan_template() -> bytes:
    """The spreadsheet template for a region's own plan: the headers and one example row."""
    import tablib

    data = tablib.Dataset(headers=list(PLAN_COLUMNS))
    data.append(
        [1, "精神素养提升行动", "1", "示例：每学期开展一次心理健康筛查", "覆盖率100%", "每年", 1, "区教育局、区卫健委"]
    )
    return data.export("xlsx")
