"""Exporting what a user sees to .xlsx or .csv (django-import-export resources), safely.

- Text cells that a spreadsheet would run as a formula (children.sheets.FORMULA_START) are neutralised.
- Every export of children's data is written to the access log, one row per child, by one INSERT … SELECT.
- The list's filters are applied by the caller; exports are capped at EXPORT_MAX_ROWS (narrow the filters).
"""

from __future__ import annotations

import io
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import resources

from .sheets import FORMULA_START

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def neutral(value):
    """A text cell starting like a formula is prefixed with an apostrophe, so spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeResource(resources.ModelResource):
    """A resource whose exported cells are neutralised against formula injection."""

    def export_field(self, field, instance, **kwargs):
        return neutral(super().export_field(field, instance, **kwargs))


TEXT_FORMAT = "@"  # Excel's "Text" number format: what is typed into the cell stays as typed


def xlsx_bytes(headers, rows, *, text_columns=(), title: str = "Sheet1") -> bytes:
    """One sheet as .xlsx (openpyxl's streaming writer), bold header row frozen; the columns whose header is in
    `text_columns` are text-formatted, so that Excel keeps ID and phone numbers as typed (not as 3.7E+17)."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    text = [i for i, header in enumerate(headers) if header in set(text_columns)]
    for row in rows:
        row = list(row)
        for i in text:
            if i < len(row):
                cell = WriteOnlyCell(sheet, value=row[i])
                cell.number_format = TEXT_FORMAT
                row[i] = cell
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def dataset_content(resource, dataset, fmt: str):
    """The exported dataset as file content: a resource's `text_columns` are text-formatted in .xlsx."""
    text_columns = getattr(resource, "text_columns", ())
    if fmt == "xlsx" and text_columns:
        return xlsx_bytes(dataset.headers, dataset, text_columns=text_columns, title=dataset.title or "Sheet1")
    return dataset.export(fmt)


def log_export(user, queryset: QuerySet, *, child_field: str = "pk", action: str = "export") -> int:
    """Write one access-log row per child in `queryset` (set-based). Returns the number of rows written."""
    from django.core.exceptions import EmptyResultSet

    from .models import AccessLog

    ids = queryset.order_by().filter(**{f"{child_field}__isnull": False}).values(child_field).distinct()
    try:
        sql, params = ids.query.sql_with_params()
    except EmptyResultSet:  # a user who sees no children (e.g. a liaison): nothing exported, nothing to log
        return 0
    table = connection.ops.quote_name(AccessLog._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, action, at, child_id) SELECT %s, %s, %s, sub.* FROM ({sql}) sub",
            [user.pk, action, timezone.now(), *params],
        )
        return cursor.rowcount


def attachment(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


def export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def export_response(
    request: HttpRequest,
    *,
    resource: resources.Resource,
    queryset: QuerySet,
    basename: str,
    child_field: str | None = "pk",
    fmt: str | None = None,
) -> HttpResponse:
    """The list as a file in the format asked for (`fmt`, else ?format=xlsx|csv), logged (unless `child_field` is
    None: the caller's gate has logged each child); too long a list is refused."""
    fmt = fmt if fmt in FORMATS else export_format(request) or "xlsx"
    limit = settings.EXPORT_MAX_ROWS
    count = queryset.count()
    if count > limit:
        messages.error(
            request,
            _("The list has %(count)s rows; exports are limited to %(limit)s. Narrow the filters first.")
            % {"count": count, "limit": limit},
        )
        query = request.GET.copy()
        query.pop("format", None)
        return redirect(f"{request.path}?{query.urlencode()}")
    dataset = resource.export(queryset=queryset)
    content = dataset_content(resource, dataset, fmt)
    if fmt == "csv":
        content = "\ufeff" + content  # Excel on Chinese Windows opens a UTF-8 CSV correctly only with a BOM
    if child_field is not None:
        log_export(request.user, queryset, child_field=child_field)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return attachment(content, filename=f"{basename}-{stamp}.{fmt}", content_type=FORMATS[fmt])
