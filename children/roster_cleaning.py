"""Cleaning a roster's rows, one at a time, with no database: cells to values, ID numbers, duplicates within the
file (children.imports runs the import; children.roster_writing checks the rows against the database and writes
them)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import rules
from .idnumber import parse as parse_id_number
from .roster_format import (
    CATEGORY_SEPARATORS,
    COLUMNS,
    PLACEHOLDERS,
    STATUS_HEADER,
    label_of_status_closed,
    labels,
)
from .sheets import (
    FORMULA_START,
    CellError,
    Sheet,
    cell_choice,
    cell_date,
    cell_id_number,
    cell_phone,
    cell_plain_text,
    cell_text,
)

CHUNK = 5000  # rows per progress step and per database round trip
Progress = Callable[[str, int, int], None]


# --- One row ------------------------------------------------------------------------------------------------


@dataclass
class Row:
    number: int
    raw: dict[str, Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    kind: str = ""  # RowResult import types: new, update, skip, invalid
    changed: list[str] = field(default_factory=list)  # headers of the changed columns
    child_id: int | None = None

    def error(self, header: str, message: str) -> None:
        self.errors.setdefault(header, []).append(message)


@lru_cache(maxsize=4096)
def _categories(text: str) -> frozenset[str]:
    """Category labels separated by 、，, ; or spaces; labels that themselves contain 、 are matched first."""
    table = labels()["categories"]
    codes = set()
    for label in sorted(table, key=len, reverse=True):
        if label in text:
            codes.add(table[label])
            text = text.replace(label, "、")
    for code in table.values():  # codes are accepted too (files written by other systems)
        if code in text:
            codes.add(code)
            text = text.replace(code, "、")
    for sep in CATEGORY_SEPARATORS:
        text = text.replace(sep, "、")
    unknown = [part for part in text.split("、") if part.strip()]
    if unknown:
        raise CellError(
            _("%(value)s is not a category; use: %(choices)s") % {"value": unknown[0], "choices": "、".join(table)}
        )
    return frozenset(codes)


def _memoised(clean: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """For columns with few distinct values (villages, categories, choices): each value is cleaned once."""
    seen: dict = {}

    def cached(value: Any) -> Any:
        try:
            result = seen[value]
        except KeyError:
            try:
                result = seen[value] = clean(value)
            except CellError as exc:
                result = seen[value] = exc
        except TypeError:  # an unhashable value: clean it directly
            return clean(value)
        if isinstance(result, CellError):
            raise result
        return result

    return cached


def _text(max_length: int) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        if type(value) is str:
            text = value.strip()
            if len(text) <= max_length and not text.startswith(FORMULA_START):
                return text
        return cell_plain_text(value, max_length=max_length)

    return clean


def _id_number(value: Any) -> str:
    return value if type(value) is str else cell_id_number(value)  # parsed and normalised in _clean


def _cleaners() -> dict[str, Callable[[Any], Any]]:
    """field -> function turning a non-blank cell into the stored value (raising CellError); one set per import."""
    table = labels()

    def choice(kind: str) -> Callable[[Any], str]:
        return _memoised(lambda value: cell_choice(value, table[kind]))

    def grade(value: Any) -> int | None:
        code = cell_choice(value, table["disability_grade"])
        return int(code) if code else None

    return {
        "name": _text(50),
        "id_number": _id_number,
        "sex": choice("sex"),
        "birth_date": _memoised(cell_date),
        "ethnicity": _memoised(_text(20)),
        "village": _memoised(cell_text),
        "address": _text(200),
        "categories": _memoised(lambda value: _categories(cell_text(value))),
        "enrolment": choice("enrolment"),
        "school": _memoised(_text(100)),
        "grade": _memoised(_text(30)),
        "health": choice("health"),
        "disability": choice("disability"),
        "disability_grade": _memoised(grade),
        "guardian_name": _text(50),
        "guardian_relation": choice("guardian_relation"),
        "guardian_phone": cell_phone,
        "notes": _text(2000),
    }


BLANK = {"birth_date": None, "disability_grade": None, "categories": frozenset()}


@dataclass
class Plan:
    """How to clean the rows of one file: the columns it has (with their cleaners) and the defaults of the rest."""

    present: list[tuple[str, str, bool, Callable[[Any], Any], Any]]  # header, field, required, cleaner, blank
    absent: dict[str, Any]
    closed: str | None = None  # the label of a closed archive, if the file has the export's status column

    @classmethod
    def for_headers(cls, headers: Iterable[str]) -> Plan:
        cleaners = _cleaners()
        have = set(headers)
        present = [
            (c.header, c.field, c.required, cleaners[c.field], BLANK.get(c.field, ""))
            for c in COLUMNS
            if c.header in have
        ]
        absent = {c.field: BLANK.get(c.field, "") for c in COLUMNS if c.header not in have}
        closed = label_of_status_closed() if STATUS_HEADER in have else None
        return cls(present=present, absent=absent, closed=closed or None)


def _clean(row: Row, today: datetime.date, plan: Plan) -> None:
    raw = row.raw
    values = row.values
    values.update(plan.absent)
    for header, name, required, clean, blank in plan.present:
        value = raw.get(header)
        if (
            value is None
            or value == ""
            or (type(value) is str and ((text := value.strip()) == "" or text in PLACEHOLDERS))
        ):
            values[name] = blank
        else:
            try:
                values[name] = clean(value)
            except CellError as exc:
                row.error(header, f"{header}：{exc}")
                continue
        if required and not values[name]:
            row.error(header, _("%(column)s is required.") % {"column": header})
    if "id_number" in values and values["id_number"] and "身份证号" not in row.errors:
        try:
            info = parse_id_number(values["id_number"], today=today)
        except ValidationError as exc:
            row.error("身份证号", exc.messages[0])
        else:
            values["id_number"] = info.number
            if values.get("sex") and values["sex"] != info.sex:
                row.error("性别", _("The sex does not match the ID number."))
            values["sex"] = info.sex
            if values.get("birth_date") and values["birth_date"] != info.birth_date:
                row.error("出生日期", _("The date of birth does not match the ID number."))
            values["birth_date"] = info.birth_date
            if rules.is_adult(info.birth_date, today):
                row.error("身份证号", rules.adult_refusal())
    if values.get("guardian_relation") and not values.get("guardian_name"):
        row.error("监护人姓名", _("Enter the guardian's name when the relation is given."))
    # An exported row of a closed archive is read only; known here because the cells of valid rows are dropped.
    values["closed"] = plan.closed is not None and cell_text(raw.get(STATUS_HEADER)) == plan.closed



def clean_rows(sheet: Sheet, *, today: datetime.date, progress: Progress | None = None) -> list[Row]:
    """Clean every row on its own (cells, ID numbers, duplicates within the file): no database involved.

    The sheet's rows are read and cleaned one at a time (the file is never held as a second list of rows); a file
    with too many rows raises SheetError as soon as its first row over the limit is read."""
    rows: list[Row] = []
    total = sheet.expected
    first_seen: dict[str, int] = {}
    plan = Plan.for_headers(sheet.headers)
    for i, (number, record) in enumerate(sheet.records()):
        row = Row(number=number, raw=record)
        rows.append(row)
        _clean(row, today, plan)
        number = row.values.get("id_number")
        if number and "身份证号" not in row.errors:
            if number in first_seen:
                row.error(
                    "身份证号",
                    _("The same ID number is already on row %(row)s of this file.") % {"row": first_seen[number]},
                )
            else:
                first_seen[number] = row.number
        if not row.errors:
            row.raw = {}  # kept for invalid rows only (memory); restore_cells reads them again when needed
        if progress and i % CHUNK == 0:
            progress(_("Checking rows"), i, max(total, i))
    return rows

