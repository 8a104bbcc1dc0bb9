"""Importing children from a roster spreadsheet, fast and all-or-nothing.

The columns (Chinese headers, `COLUMNS`) are the file format: the template, the export of the children list and
this import share them, so an exported file imports back with no changes. Archives are matched by ID number.

    outcome = run_import(upload, user=user, dry_run=True)      # preview: every row new, changed or invalid
    outcome = run_import(upload, user=user, dry_run=False)     # writes only if no row is invalid
    outcome = run_import(upload, user=user, dry_run=False, valid_only=True)   # writes the valid rows

How it stays fast at 100,000 rows: the file is parsed by python-calamine (children/sheets.py); rows are checked in
plain Python; archives are matched with one query per 5,000 rows; the writes are bulk INSERTs and UPDATEs, and the
history rows (django-simple-history's tables) are written by INSERT … SELECT, never one row at a time. The result
is reported through django-import-export's `Result`/`RowResult`/`InvalidRow`, as its per-row import would.

Rules: staff import only into villages of their own area; an ID number held by an open archive elsewhere is an
error naming only the county civil-affairs office holding it (the look-up is logged); a different village for an
existing archive is an error (moving a child is a transfer); blank optional cells leave the archive's value as it
is; the categories listed are the child's current categories (missing ones end today, new ones start today).
Everything runs in one transaction: a failure half-way writes nothing.

In four modules: the file's format (`roster_format`: columns, headers, labels), cleaning each row with no database
(`roster_cleaning`, pure), checking against the database and writing (`roster_writing`), and here the whole import
(reading, sealing the cleaned rows between a check and the import, the result, the workbooks).
"""

from __future__ import annotations

import datetime
import gc
import io
import logging
import pickle
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from import_export.results import Result, RowResult

from accounts.models import User

from .roster_cleaning import (
    Progress,
    Row,
    clean_rows,
)
from .roster_format import (
    ALIASES,
    COLUMNS,
    HEADERS,
    REQUIRED,
    REQUIRED_MARK,
    TEMPLATE_TEXT_ROWS,
    TEXT_COLUMNS,
    label_of,
    labels,
)
from .roster_writing import (
    Written,
    check_rows,
    write_rows,
)
from .sheets import (
    DEFAULT_MAX_ROWS,
    Sheet,
    read_table,
)

log = logging.getLogger(__name__)
SEAL_SALT = "children.imports.cleaned-rows"


# --- The whole import ---------------------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    rows: list[Row]
    dry_run: bool
    written: Written | None = None
    headers: list[str] = field(default_factory=list)  # the file's own headers (for the workbook of invalid rows)
    cleaned: bytes = b""  # with keep_cleaned: the rows as cleaned, sealed (see seal), for the import to reuse

    @cached_property
    def result(self) -> Result:
        """django-import-export's result: totals, row results, invalid rows (built when asked for)."""
        return to_result(self.rows)

    @property
    def invalid(self) -> list[Row]:
        return [r for r in self.rows if r.kind == RowResult.IMPORT_TYPE_INVALID]

    @property
    def totals(self) -> dict[str, int]:
        counts = dict.fromkeys(Result().totals, 0)  # django-import-export's kinds: new, update, skip, invalid …
        for row in self.rows:
            counts[row.kind] += 1
        return counts


def to_result(rows: list[Row]) -> Result:
    result = Result()
    result.diff_headers = list(HEADERS)
    for row in rows:
        if row.kind == RowResult.IMPORT_TYPE_INVALID:
            result.append_invalid_row(row.number, row.raw, ValidationError(row.errors))
            result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            continue
        row_result = RowResult()
        row_result.import_type = row.kind
        row_result.number = row.number
        row_result.object_id = row.child_id
        row_result.object_repr = row.values.get("name", "")
        row_result.diff = row.changed
        result.append_row_result(row_result)
        result.increment_row_result_total(row_result)
    result.total_rows = len(rows)
    return result


MAX_ROWS = DEFAULT_MAX_ROWS  # data rows per file (README: 20 万行)


def read_roster(upload) -> Sheet:
    return read_table(upload, columns=ALIASES, required=REQUIRED, max_rows=MAX_ROWS)


@dataclass
class Cleaned:
    """A file's rows as cleaned (before the database checks) and its own headers."""

    headers: list[str]
    rows: list[Row]


def seal(cleaned: Cleaned, today: datetime.date) -> bytes:
    """Cleaned rows as bytes for the import to reuse after a check, sealed with an HMAC of the secret key and dated:
    `unseal` refuses anything altered, or cleaned on another day (ages count from today). Rows are packed as
    tuples (a third of the size of pickled Row objects, and quicker both ways); the cells of valid rows are left
    out (only the workbook of invalid rows needs them)."""
    valid = next((row for row in cleaned.rows if not row.errors), None)
    keys = sorted(valid.values) if valid else []  # every valid row has a value for every column of the plan
    packed = [
        (row.number, row.values, row.errors, row.raw)
        if row.errors
        else (row.number, tuple(row.values[k] for k in keys), None, None)
        for row in cleaned.rows
    ]
    payload = today.isoformat().encode() + pickle.dumps(
        (cleaned.headers, keys, packed), protocol=pickle.HIGHEST_PROTOCOL
    )
    return salted_hmac(SEAL_SALT, payload, algorithm="sha256").digest() + payload


def unseal(blob: bytes, today: datetime.date) -> Cleaned | None:
    """What `seal` sealed today, or None (then the file is read and cleaned again)."""
    mac, payload = blob[:32], blob[32:]
    if len(mac) < 32 or not constant_time_compare(mac, salted_hmac(SEAL_SALT, payload, algorithm="sha256").digest()):
        return None
    if payload[:10] != today.isoformat().encode():
        return None
    headers, keys, packed = pickle.loads(payload[10:])  # noqa: S301 - sealed with the secret key by this code only
    rows = [
        Row(
            number=number,
            raw=raw or {},
            values=values if errors else dict(zip(keys, values, strict=True)),
            errors=errors or {},
        )
        for number, values, errors, raw in packed
    ]
    return Cleaned(headers=headers, rows=rows)


@contextmanager
def _bulk_objects():
    """Python's cyclic garbage collector off while 100,000 rows of objects are made (it would walk them all again
    and again: about a quarter of the import's Python time); back on afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cells_of(values: dict[str, Any]) -> dict[str, Any]:
    """A cleaned row written back as the file's cells (labels, not codes): what the row said, as the import read it."""
    kinds = {"sex", "enrolment", "health", "disability", "guardian_relation"}
    cells: dict[str, Any] = {}
    for column in COLUMNS:
        value = values.get(column.field)
        if column.field == "categories":
            value = "、".join(label_of("categories", code) for code in sorted(value or ()))
        elif column.field in kinds:
            value = label_of(column.field, value)
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        cells[column.header] = "" if value is None else value
    return cells


def restore_cells(rows: list[Row], source: Callable[[], Sheet | None] | None = None) -> None:
    """Give back their cells to the invalid rows that have none: rows the database checks found invalid after the
    cells of valid rows were dropped (clean_rows, seal). From the file read again when `source` gives it, else
    written back from the cleaned values (`cells_of`)."""
    missing = {row.number: row for row in rows if row.kind == RowResult.IMPORT_TYPE_INVALID and not row.raw}
    if not missing:
        return
    sheet = None
    if source is not None:
        try:
            sheet = source()
        except (OSError, ValidationError):
            sheet = None
    if sheet is not None:
        try:
            for number, record in sheet.records():
                row = missing.pop(number, None)
                if row is not None:
                    row.raw = record
                    if not missing:
                        break
        except ValidationError:
            pass
    for row in missing.values():
        row.raw = cells_of(row.values)


@_bulk_objects()
def run_import(
    upload_or_sheet,
    *,
    user: User | None,
    dry_run: bool,
    valid_only: bool = False,
    today: datetime.date | None = None,
    progress: Progress | None = None,
    keep_cleaned: bool = False,
    cleaned: Cleaned | None = None,
    source: Callable[[], Sheet | None] | None = None,
) -> ImportOutcome:
    """Check (and unless `dry_run`, write) a roster. Raises SheetError for a file that cannot be read at all.

    `keep_cleaned` seals the cleaned rows into the outcome (`outcome.cleaned`); passing them back as `cleaned`
    (after `unseal`) skips reading and cleaning the file again. The database checks always run again.

    Invalid rows keep their cells (for the workbook of invalid rows); the rows only the database checks refuse get
    theirs from `source` (a function giving the file read again), or from the file given, or from their values."""
    today = today or timezone.localdate()
    if cleaned is None:
        sheet = upload_or_sheet if isinstance(upload_or_sheet, Sheet) else read_roster(upload_or_sheet)
        cleaned = Cleaned(headers=sheet.headers, rows=clean_rows(sheet, today=today, progress=progress))
        if source is None and not isinstance(upload_or_sheet, Sheet):
            source = lambda: read_roster(upload_or_sheet)  # noqa: E731 - read again only if needed
    sealed = seal(cleaned, today) if keep_cleaned else b""
    with transaction.atomic():
        rows = check_rows(cleaned.rows, user=user, lock=not dry_run, progress=progress)
        outcome = ImportOutcome(rows=rows, dry_run=dry_run, headers=cleaned.headers, cleaned=sealed)
        if dry_run or (outcome.invalid and not valid_only):
            restore_cells(rows, source)
            return outcome
        outcome.written = write_rows(rows, user=user, today=today, progress=progress)
    restore_cells(rows, source)
    log.info(
        "children import by user %s: %s created, %s updated, %s invalid",
        user.pk if user else None,
        outcome.written.created,
        outcome.written.updated,
        len(outcome.invalid),
    )
    return outcome


def invalid_rows_workbook(outcome: ImportOutcome, fmt: str = "xlsx") -> bytes:
    """The invalid rows as they were in the file, with the row number and an error column, to fix and re-import."""
    import tablib

    from .exports import neutral, xlsx_bytes

    restore_cells(outcome.rows)  # any invalid row still without its cells: from its values
    headers = [h for h in outcome.headers if h]
    data = tablib.Dataset(headers=["原行号", *headers, "错误"])
    for row in outcome.invalid:
        message = "；".join(m for messages in row.errors.values() for m in messages)
        data.append([row.number, *(neutral(row.raw.get(h, "")) for h in headers), message])
    if fmt == "xlsx":
        return xlsx_bytes(data.headers, data, text_columns=TEXT_COLUMNS, title="错误行")
    return data.export(fmt)


def template_workbook() -> bytes:
    """The import template: the headers (required ones marked *), the ID and phone columns text-formatted (so that
    Excel keeps an 18-digit number as typed), and a second sheet saying how to fill in each column."""
    import openpyxl
    from openpyxl.styles import Font

    from .exports import TEXT_FORMAT
    from .sheets import column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "儿童名单"
    sheet.append([c.header + (REQUIRED_MARK if c.required else "") for c in COLUMNS])
    sheet.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS):
        sheet.cell(1, i + 1).font = Font(bold=True)
        if column.header in TEXT_COLUMNS:
            letter = column_letter(i)
            sheet.column_dimensions[letter].number_format = TEXT_FORMAT  # cells typed anywhere in the column
            sheet.column_dimensions[letter].width = 22
            for row in range(2, TEMPLATE_TEXT_ROWS + 2):
                sheet.cell(row, i + 1).number_format = TEXT_FORMAT
    notes = book.create_sheet("填写说明")
    notes.append(["列名", "是否必填", "填写说明"])
    table = labels()
    choices = {
        "sex": "男、女",
        "categories": "、".join(table["categories"]),
        "enrolment": "、".join(table["enrolment"]),
        "health": "、".join(table["health"]),
        "disability": "、".join(k for k in table["disability"] if k),
        "guardian_relation": "、".join(table["guardian_relation"]),
    }
    for column in COLUMNS:
        text = column.note
        if column.field in choices:
            text = f"{text}{'；' if text else ''}可填：{choices[column.field]}"
        notes.append([column.header, "是" if column.required else "否", text])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

