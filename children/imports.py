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
"""

from __future__ import annotations

import datetime
import gc
import io
import logging
import pickle
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from import_export.results import Result, RowResult

from accounts.models import Area, AreaLevel, User, enclosing_code

from . import access, bulk, rules
from .categories import Category, categories_in, flags_for
from .idnumber import parse as parse_id_number
from .models import (
    AccessAction,
    ArchiveStatus,
    Child,
    ChildCategory,
    Colour,
    ColourChange,
    Disability,
    DisabilityGrade,
    Enrolment,
    FamilyMember,
    Health,
    Relation,
    Sex,
)
from .sheets import (
    DEFAULT_MAX_ROWS,
    FORMULA_START,
    CellError,
    Sheet,
    cell_choice,
    cell_date,
    cell_id_number,
    cell_phone,
    cell_plain_text,
    cell_text,
    read_table,
)

log = logging.getLogger(__name__)
CHUNK = 5000
WRITE_CHUNK = 20_000  # new archives written per COPY (bounded memory; fewer round trips than CHUNK)
SEAL_SALT = "children.imports.cleaned-rows"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    note: str = ""  # how to fill it in (the template's second sheet and the README)


COLUMNS: tuple[Column, ...] = (
    Column("姓名", "name", True, (), "必填，不超过50字"),
    Column("身份证号", "id_number", True, ("身份证号码", "公民身份号码", "身份证"), "必填，18位；列须设置为文本格式"),
    Column("性别", "sex", False, (), "男/女；可空，空则按身份证号"),
    Column("出生日期", "birth_date", False, ("出生年月日",), "如 2015-03-04；可空，空则按身份证号"),
    Column("民族", "ethnicity", False, (), "如 汉族"),
    Column(
        "村（社区）代码",
        "village",
        True,
        ("村代码", "村(居)代码", "村居代码", "村（居）委会代码", "行政区划代码"),
        "必填，12位统计用区划代码，须在本人辖区内",
    ),
    Column("住址", "address", False, ("家庭住址", "现住址"), ""),
    Column("儿童类别", "categories", True, ("类别", "人员类别"), "必填，多个用顿号“、”分隔"),
    Column("就学状况", "enrolment", False, ("就学情况",), ""),
    Column("学校", "school", False, ("就读学校",), ""),
    Column("年级班级", "grade", False, ("年级", "班级"), ""),
    Column("健康状况", "health", False, (), ""),
    Column("残疾类别", "disability", False, ("残疾类型",), ""),
    Column("残疾等级", "disability_grade", False, (), "1～4"),
    Column("监护人姓名", "guardian_name", False, ("监护人",), ""),
    Column("监护人关系", "guardian_relation", False, ("与儿童关系",), ""),
    Column("监护人电话", "guardian_phone", False, ("联系电话", "监护人联系电话"), ""),
    Column("备注", "notes", False, (), ""),
)
HEADERS = [c.header for c in COLUMNS]
HEADER_OF = {c.field: c.header for c in COLUMNS}
REQUIRED = [c.header for c in COLUMNS if c.required]
REQUIRED_MARK = " *"  # after a required column's header in the template (as in the README's table); read back as is
TEXT_COLUMNS = ("身份证号", "监护人电话")  # text-formatted in the template and the .xlsx exports
TEMPLATE_TEXT_ROWS = 2000  # rows of the template whose ID and phone cells are text-formatted (the columns are too)
ALIASES = {c.header: c.aliases for c in COLUMNS}
STATUS_HEADER = "档案状态"  # a column of the export (children.resources.INFO_COLUMNS): closed archives are skipped
CATEGORY_SEPARATORS = ("，", ",", "；", ";", "/", "／", " ")
# What rosters write in an optional cell that has nothing to say: read as blank (blank leaves the archive alone).
PLACEHOLDERS = frozenset({"-", "--", "---", "－", "—", "——", "–", "/", "／", "\\", "无", "暂无", "N/A", "n/a"})
# Fields of the child row an import may change (village is checked, not changed).
CHILD_FIELDS = (
    "name",
    "ethnicity",
    "address",
    "enrolment",
    "school",
    "grade",
    "health",
    "disability",
    "disability_grade",
    "notes",
)
GUARDIAN_FIELDS = ("guardian_name", "guardian_relation", "guardian_phone")


@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, str]]:
    """Chinese label -> code for every closed list, whatever language the importing user reads."""
    with translation.override("zh-hans"):

        def table(choices) -> dict[str, str]:
            return {str(label): code for code, label in choices if code != ""}

        return {
            "sex": {"男": Sex.MALE, "女": Sex.FEMALE},
            "categories": table(Category.choices),
            "enrolment": table(Enrolment.choices),
            "health": table(Health.choices),
            "disability": table(Disability.choices) | {"无": ""},
            "disability_grade": {str(code): str(code) for code, _l in DisabilityGrade.choices}
            | {str(label): str(code) for code, label in DisabilityGrade.choices},
            "guardian_relation": table(Relation.choices),
        }


@lru_cache(maxsize=1)
def _codes_to_labels() -> dict[str, dict[str, str]]:
    return {kind: {code: label for label, code in table.items()} for kind, table in labels().items()}


def label_of(kind: str, code: Any) -> str:
    """The Chinese label the file uses for a stored code (export); blank for blank."""
    if code in ("", None):
        return ""
    return _codes_to_labels()[kind].get(str(code), str(code))


@lru_cache(maxsize=1)
def label_of_status_closed() -> str:
    with translation.override("zh-hans"):
        return str(ArchiveStatus.CLOSED.label)


def categories_label(flags: int) -> str:
    return "、".join(label_of("categories", code) for code in categories_in(flags))


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


# --- Checking a whole file ----------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _offices(codes: Iterable[str]) -> dict[str, str]:
    """Village code -> the county civil-affairs office holding its archives (errors name no village or township)."""
    from .services import office_of

    return {a.code: office_of(a) for a in Area.objects.filter(code__in=set(codes)).select_related("parent__parent")}


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


def check_rows(rows: list[Row], *, user: User | None, lock: bool, progress: Progress | None = None) -> list[Row]:
    """Check cleaned rows (`clean_rows`) against the database: villages, area, existing archives, changes."""
    # Villages: one query per chunk of distinct codes; the user's own area only.
    codes = sorted({r.values.get("village") for r in rows if r.values.get("village")})
    villages: set[str] = set()
    for chunk in _chunks(codes):
        villages.update(Area.objects.filter(code__in=chunk, level=AreaLevel.VILLAGE).values_list("code", flat=True))
    prefixes = tuple(access.area_prefixes(user)) if user is not None and not user.is_administrator else None
    for row in rows:
        code = row.values.get("village")
        if not code or "村（社区）代码" in row.errors:
            continue
        if code not in villages:
            row.error("村（社区）代码", _("There is no village with the code %(code)s.") % {"code": code})
        elif prefixes is not None and not code.startswith(prefixes):
            row.error("村（社区）代码", _("The village %(code)s is outside your area.") % {"code": code})

    _match_existing(rows, user=user, lock=lock, progress=progress)
    for row in rows:
        if row.values.get("closed"):
            row.kind, row.errors, row.child_id = RowResult.IMPORT_TYPE_SKIP, {}, None  # closed archives: read only
        elif row.errors:
            row.kind = RowResult.IMPORT_TYPE_INVALID
        elif row.child_id is None:
            row.kind = RowResult.IMPORT_TYPE_NEW
        else:
            row.kind = RowResult.IMPORT_TYPE_UPDATE if row.changed else RowResult.IMPORT_TYPE_SKIP
    return rows


def _match_existing(rows: list[Row], *, user: User | None, lock: bool, progress: Progress | None) -> None:
    by_number = {r.values["id_number"]: r for r in rows if r.values.get("id_number") and "身份证号" not in r.errors}
    numbers = list(by_number)
    elsewhere: list[tuple[Row, str, int]] = []
    for done, chunk in enumerate(_chunks(numbers)):
        qs = Child.objects.filter(bulk.in_list("id_number", chunk), status=ArchiveStatus.OPEN)
        if lock:
            qs = qs.select_for_update()
        existing = list(qs.values("id", "id_number", "village_id", "category_flags", *CHILD_FIELDS))
        ids = [e["id"] for e in existing]
        guardians: dict[int, dict] = {}
        for g in (
            FamilyMember.objects.filter(bulk.in_list("child_id", ids), is_guardian=True)
            .order_by("child_id", "id")
            .values("child_id", "name", "relation", "phone")
        ):
            guardians.setdefault(g["child_id"], g)
        prefixes = tuple(access.area_prefixes(user)) if user is not None and not user.is_administrator else None
        for current in existing:
            row = by_number[current["id_number"]]
            if prefixes is not None and not current["village_id"].startswith(prefixes):
                elsewhere.append((row, current["village_id"], current["id"]))
                continue
            if row.values.get("village") and row.values["village"] != current["village_id"]:
                row.error(
                    "村（社区）代码",
                    _(
                        "This child's archive is in village %(code)s. To move a child, transfer the archive "
                        "instead of importing."
                    )
                    % {"code": current["village_id"]},
                )
                continue
            row.child_id = current["id"]
            row.changed = _changes(row.values, current, guardians.get(current["id"]))
        if progress:
            progress(_("Matching archives"), min(len(numbers), (done + 1) * CHUNK), len(numbers))
    if elsewhere:
        offices = _offices(code for _row, code, _pk in elsewhere)
        for row, code, _pk in elsewhere:
            row.error(
                "身份证号",
                _(
                    "This child already has an open archive held by %(office)s. Ask that office to transfer the "
                    "child to your area instead of importing it."
                )
                % {"office": offices.get(code, enclosing_code(code, AreaLevel.COUNTY))},
            )
        if user is not None:  # each archive found is a look-up at it, logged as when registering
            from .services import access_log

            access_log(user=user, child_ids=[pk for _row, _code, pk in elsewhere], action=AccessAction.LOOKUP)


def _changes(values: dict, current: dict, guardian: dict | None) -> list[str]:
    """Headers whose non-blank cell differs from the archive."""
    changed = []
    for name in CHILD_FIELDS:
        new = values.get(name)
        if new in ("", None):
            continue
        if new != (current[name] if current[name] is not None else ""):
            changed.append(HEADER_OF[name])
    if values.get("categories") and values["categories"] != frozenset(categories_in(current["category_flags"])):
        changed.append(HEADER_OF["categories"])
    if values.get("guardian_name"):
        have = guardian or {"name": "", "relation": "", "phone": ""}
        for name, key in zip(GUARDIAN_FIELDS, ("name", "relation", "phone"), strict=True):
            if values.get(name) and values[name] != have[key]:
                changed.append(HEADER_OF[name])
    return changed


# --- Writing ------------------------------------------------------------------------------------------------


@dataclass
class Written:
    created: int = 0
    updated: int = 0


def write_rows(
    rows: list[Row], *, user: User | None, today: datetime.date, progress: Progress | None = None
) -> Written:
    """Create the new archives and apply the changes of the valid rows; set-based, inside the caller's transaction."""
    reason = _("Imported from a spreadsheet")
    user_id = user.pk if user is not None else None
    # In ID-number order: the two ID-number indexes then take their new entries in order (neighbouring pages,
    # not a random page each), and ids follow the same order.
    new_rows = sorted((r for r in rows if r.kind == RowResult.IMPORT_TYPE_NEW), key=lambda r: r.values["id_number"])
    update_rows = [r for r in rows if r.kind == RowResult.IMPORT_TYPE_UPDATE]
    now = timezone.now()

    # New archives: one COPY per table and chunk of WRITE_CHUNK rows on PostgreSQL (children/bulk.py); their records
    # are built a chunk at a time (a list of 200,000 dicts would take a quarter of a gigabyte).
    added = bulk.History(user_id=user_id, reason=reason, kind="+")
    changed = bulk.History(user_id=user_id, reason=reason, kind="~")
    new_ids: list[int] = []
    for start in range(0, len(new_rows), WRITE_CHUNK):
        if progress:
            progress(_("Writing new archives"), start, len(new_rows))
        chunk = new_rows[start : start + WRITE_CHUNK]
        records = []
        for r in chunk:
            v = r.values
            records.append(
                {
                    "name": v["name"],
                    "id_number": v["id_number"],
                    "sex": v["sex"],
                    "birth_date": v["birth_date"],
                    "ethnicity": v.get("ethnicity") or "汉族",
                    "village_id": v["village"],
                    "address": v.get("address") or "",
                    "category_flags": flags_for(v["categories"]),
                    "enrolment": v.get("enrolment") or "",
                    "school": v.get("school") or "",
                    "grade": v.get("grade") or "",
                    "health": v.get("health") or Health.HEALTHY,
                    "disability": v.get("disability") or "",
                    "disability_grade": v.get("disability_grade"),
                    "notes": v.get("notes") or "",
                    "registered_on": today,
                    "created_by_id": user_id,
                    "colour": Colour.GREEN,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        ids = bulk.insert(Child, records, history=added)
        del records
        for r, pk in zip(chunk, ids, strict=True):
            r.child_id = pk
        new_ids.extend(ids)
        bulk.insert(
            ChildCategory,
            [
                {"child_id": r.child_id, "category": code, "started_on": today}
                for r in chunk
                for code in sorted(r.values["categories"])
            ],
            history=added,
        )
        bulk.insert(
            FamilyMember,
            [
                {
                    "child_id": r.child_id,
                    "relation": r.values.get("guardian_relation") or Relation.OTHER,
                    "name": r.values["guardian_name"],
                    "phone": r.values.get("guardian_phone") or "",
                    "is_guardian": True,
                }
                for r in chunk
                if r.values.get("guardian_name")
            ],
            history=added,
        )
        bulk.insert(
            ColourChange,
            [
                {
                    "child_id": pk,
                    "colour": Colour.GREEN,
                    "changed_on": today,
                    "reason": reason,
                    "changed_by_id": user_id,
                }
                for pk in ids
            ],
        )
    categories: list[dict] = []  # of changed archives (below)
    guardians: list[dict] = []

    # Changed archives: full rows locked by check_rows(lock=True), changed fields set, one bulk UPDATE.
    ended: list[int] = []
    guardian_updates: list[FamilyMember] = []
    changed_children: list[Child] = []
    fields: set[str] = set()
    for chunk in _chunks(update_rows):
        current = Child.objects.in_bulk([r.child_id for r in chunk])
        current_categories: dict[int, dict[str, int]] = {}
        for pk, child_id, code in ChildCategory.objects.filter(child_id__in=current, ended_on__isnull=True).values_list(
            "id", "child_id", "category"
        ):
            current_categories.setdefault(child_id, {})[code] = pk
        first_guardian: dict[int, FamilyMember] = {}
        for member in FamilyMember.objects.filter(child_id__in=current, is_guardian=True).order_by("child_id", "id"):
            first_guardian.setdefault(member.child_id, member)
        for r in chunk:
            child = current[r.child_id]
            v = r.values
            for name in CHILD_FIELDS:
                if HEADER_OF[name] in r.changed:
                    setattr(child, name, v[name])
                    fields.add(name)
            if HEADER_OF["categories"] in r.changed:
                have = current_categories.get(child.pk, {})
                ended.extend(pk for code, pk in have.items() if code not in v["categories"])
                categories.extend(
                    {"child_id": child.pk, "category": code, "started_on": today}
                    for code in sorted(v["categories"] - set(have))
                )
                child.category_flags = flags_for(v["categories"])
                fields.add("category_flags")
            if any(HEADER_OF[name] in r.changed for name in GUARDIAN_FIELDS):
                member = first_guardian.get(child.pk)
                if member is None:
                    guardians.append(
                        {
                            "child_id": child.pk,
                            "relation": v.get("guardian_relation") or Relation.OTHER,
                            "name": v["guardian_name"],
                            "phone": v.get("guardian_phone") or "",
                            "is_guardian": True,
                        }
                    )
                else:
                    member.name = v["guardian_name"]
                    member.relation = v.get("guardian_relation") or member.relation
                    member.phone = v.get("guardian_phone") or member.phone
                    guardian_updates.append(member)
            child.version += 1
            child.updated_at = now
            changed_children.append(child)
    if changed_children:
        Child.objects.bulk_update(changed_children, sorted(fields | {"version", "updated_at"}), batch_size=1000)
        bulk.insert_history(Child, [c.pk for c in changed_children], changed)
    if ended:
        for chunk in _chunks(ended):
            ChildCategory.objects.filter(pk__in=chunk).update(ended_on=today)
        bulk.insert_history(ChildCategory, ended, changed)
    if guardian_updates:
        FamilyMember.objects.bulk_update(guardian_updates, ["name", "relation", "phone"], batch_size=1000)
        bulk.insert_history(FamilyMember, [m.pk for m in guardian_updates], changed)
    bulk.insert(ChildCategory, categories, history=added)
    bulk.insert(FamilyMember, guardians, history=added)

    # Visit schedules follow categories; one set-based refresh per chunk of children.
    from visits import schedule

    touched = new_ids + [c.pk for c in changed_children]
    size = len(touched) if connection.vendor == "postgresql" else CHUNK  # PostgreSQL: one statement, ids as an array
    for i, chunk in enumerate(_chunks(touched, size or 1)):
        if progress:
            progress(_("Updating visit schedules"), i * size, len(touched))
        schedule.refresh(child_ids=chunk)
    from dashboards import figures

    figures.mark_children_stale(touched)  # their villages' dashboard figures follow within minutes
    return Written(created=len(new_ids), updated=len(changed_children))


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
