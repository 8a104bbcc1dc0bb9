"""Importing a region's own plan from a spreadsheet, through django-import-export's resource and row results."""

from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Area, User
from children import access

from .models import Plan
from .resources import PLAN_COLUMNS, PlanTaskResource


@dataclass
class ImportReport:
    ok: bool
    dry_run: bool
    tasks: int = 0
    plan_pk: int | None = None
    rows: list = field(default_factory=list)  # (row number, "new"/"update"/"invalid", [messages])


def _load(upload) -> tablib.Dataset:
    try:
        data = tablib.Dataset().load(upload.read(), format="xlsx")
    except Exception:  # noqa: BLE001 - any parse failure means the file is not a usable workbook
        raise ValidationError({"file": _("This file is not an .xlsx spreadsheet.")}) from None
    missing = [c for c in PLAN_COLUMNS if c not in (data.headers or [])]
    if missing:
        raise ValidationError(
            {"file": _("Columns missing: %(cols)s. Download the template.") % {"cols": "、".join(missing)}}
        )
    while data.height and not any(str(v or "").strip() for v in data[data.height - 1]):
        del data[data.height - 1]  # blank trailing rows
    if not data.height:
        raise ValidationError({"file": _("The spreadsheet has no rows.")})
    return data


def import_plan(
    *,
    user: User,
    seed: str,
    region: str,
    title: str,
    start_year: int,
    end_year: int,
    report_deadline: str,
    file,
    dry_run: bool,
) -> ImportReport:
    area = Area.objects.filter(code=region).first()
    if area is None or not access.in_user_areas(user, area.code):
        raise ValidationError({"region": _("Choose an area within your own.")})
    if end_year < start_year:
        raise ValidationError({"end_year": _("The last year cannot be before the first.")})
    existing = Plan.objects.filter(seed=seed).first()
    if existing and existing.region_id != area.code:
        raise ValidationError({"seed": _("This plan code is used by another region.")})
    data = _load(file)
    report = ImportReport(ok=False, dry_run=dry_run)
    with transaction.atomic():
        plan, _c = Plan.objects.update_or_create(
            seed=seed,
            defaults={
                "region": area,
                "title": title,
                "start_year": start_year,
                "end_year": end_year,
                "report_deadline": report_deadline or "",
            },
        )
        result = PlanTaskResource(plan=plan).import_data(
            data, dry_run=False, raise_errors=False, use_transactions=False
        )
        for invalid in result.invalid_rows:
            messages = [f"{col}：{'；'.join(str(m) for m in msgs)}" for col, msgs in invalid.error_dict.items()]
            report.rows.append((invalid.number + 1, "invalid", messages))
        for number, row in enumerate(result.rows, start=2):
            if row.import_type in ("new", "update"):
                report.rows.append((number, row.import_type, []))
            elif row.errors:
                report.rows.append((number, "invalid", [str(e.error) for e in row.errors]))
        report.rows.sort()
        report.ok = not (result.has_errors() or result.has_validation_errors())
        report.tasks = sum(1 for _n, kind, _m in report.rows if kind in ("new", "update"))
        report.plan_pk = plan.pk
        if dry_run or not report.ok:
            transaction.set_rollback(True)  # nothing is written unless every row is valid
            report.plan_pk = None if not existing else existing.pk
    return report
