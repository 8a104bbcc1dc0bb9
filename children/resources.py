"""The children roster as a django-import-export resource: the same Chinese columns for export, template and import.

Export goes through the resource's fields (one query: the first guardian is annotated, categories come from the
bitmask). Import keeps the resource's `import_data` entry point but answers it with the set-based import of
children/imports.py (django-import-export's default imports ~320 rows/s, one row at a time; this one imports
100,000 rows in seconds) and returns django-import-export's Result.
"""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery
from import_export import fields

from . import imports, privacy, roster_format
from .exports import SafeResource
from .models import Child, FamilyMember
from .sheets import Sheet, normalise_header

# Columns after the importable ones: shown for reading, ignored when the file comes back.
INFO_COLUMNS = ("乡镇（街道）", "村（社区）", "四色等级", "监护风险", "档案状态", "登记日期")


def with_guardian(queryset: QuerySet[Child]) -> QuerySet[Child]:
    """Annotate the first guardian's name, relation and phone (no query per child)."""
    first = FamilyMember.objects.filter(child=OuterRef("pk"), is_guardian=True).order_by("id")
    return queryset.select_related("village__parent").annotate(
        guardian_name=Subquery(first.values("name")[:1]),
        guardian_relation=Subquery(first.values("relation")[:1]),
        guardian_phone=Subquery(first.values("phone")[:1]),
    )


class ChildResource(SafeResource):
    name = fields.Field(attribute="name", column_name="姓名")
    id_number = fields.Field(attribute="id_number", column_name="身份证号")
    sex = fields.Field(column_name="性别")
    birth_date = fields.Field(attribute="birth_date", column_name="出生日期")
    ethnicity = fields.Field(attribute="ethnicity", column_name="民族")
    village = fields.Field(attribute="village_id", column_name="村（社区）代码")
    address = fields.Field(attribute="address", column_name="住址")
    categories = fields.Field(column_name="儿童类别")
    enrolment = fields.Field(column_name="就学状况")
    school = fields.Field(attribute="school", column_name="学校")
    grade = fields.Field(attribute="grade", column_name="年级班级")
    health = fields.Field(column_name="健康状况")
    disability = fields.Field(column_name="残疾类别")
    disability_grade = fields.Field(column_name="残疾等级")
    guardian_name = fields.Field(attribute="guardian_name", column_name="监护人姓名")
    guardian_relation = fields.Field(column_name="监护人关系")
    guardian_phone = fields.Field(column_name="监护人电话")
    notes = fields.Field(attribute="notes", column_name="备注")
    township_name = fields.Field(attribute="village__parent__name", column_name="乡镇（街道）")
    village_name = fields.Field(attribute="village__name", column_name="村（社区）")
    colour = fields.Field(column_name="四色等级")
    risk_grade = fields.Field(column_name="监护风险")
    status = fields.Field(column_name="档案状态")
    registered_on = fields.Field(attribute="registered_on", column_name="登记日期")

    text_columns = roster_format.TEXT_COLUMNS  # text-formatted in .xlsx (children.exports.xlsx_bytes)

    class Meta:
        model = Child
        fields = (*(c.field for c in roster_format.COLUMNS), "township_name", "village_name", "colour", "risk_grade")
        fields = (*fields, "status", "registered_on")
        export_order = fields
        import_id_fields = ("id_number",)

    def __init__(self, *, user=None, full_ids: bool | None = None, full_phones: bool | None = None, **kwargs):
        """ID and phone numbers are exported as `user` may see them (children.privacy; no user: masked).
        `full_ids` / `full_phones` override that (the roster export command writes them in full)."""
        super().__init__(**kwargs)
        self.user = user
        full = privacy.sees_full(user)
        self.full_ids = full if full_ids is None else full_ids
        self.full_phones = full if full_phones is None else full_phones

    # --- export -----------------------------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        return with_guardian(queryset)

    def dehydrate_id_number(self, child: Child) -> str:
        return privacy.shown(child.id_number, privacy.kind_of(Child, "id_number"), full=self.full_ids)

    def dehydrate_sex(self, child: Child) -> str:
        return roster_format.label_of("sex", child.sex)

    def dehydrate_categories(self, child: Child) -> str:
        return roster_format.categories_label(child.category_flags)

    def dehydrate_enrolment(self, child: Child) -> str:
        return roster_format.label_of("enrolment", child.enrolment)

    def dehydrate_health(self, child: Child) -> str:
        return roster_format.label_of("health", child.health)

    def dehydrate_disability(self, child: Child) -> str:
        return roster_format.label_of("disability", child.disability)

    def dehydrate_disability_grade(self, child: Child) -> str:
        return str(child.disability_grade or "")

    def dehydrate_guardian_relation(self, child: Child) -> str:
        return roster_format.label_of("guardian_relation", getattr(child, "guardian_relation", "") or "")

    def dehydrate_guardian_phone(self, child: Child) -> str:
        phone = getattr(child, "guardian_phone", "") or ""  # the first guardian's FamilyMember.phone
        return privacy.shown(phone, privacy.kind_of(FamilyMember, "phone"), full=self.full_phones)

    def dehydrate_colour(self, child: Child) -> str:
        return str(child.get_colour_display())

    def dehydrate_risk_grade(self, child: Child) -> str:
        return str(child.get_risk_grade_display()) if child.risk_grade else ""

    def dehydrate_status(self, child: Child) -> str:
        return str(child.get_status_display())

    # --- import -----------------------------------------------------------------------------------------------

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        """django-import-export's entry point for a tablib Dataset, answered by the set-based import.

        Extra keyword arguments: `valid_only` (write the valid rows even if some are invalid)."""
        aliases = {}
        for header, others in roster_format.ALIASES.items():
            for name in (header, *others):
                aliases[normalise_header(name)] = header
        headers = [aliases.get(normalise_header(h), h) for h in dataset.headers or []]
        sheet = Sheet(headers=headers, rows=[(i + 2, list(row)) for i, row in enumerate(dataset)])
        outcome = imports.run_import(sheet, user=self.user, dry_run=dry_run, valid_only=bool(kwargs.get("valid_only")))
        return outcome.result
