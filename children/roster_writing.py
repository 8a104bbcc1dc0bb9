"""Checking cleaned roster rows against the database (villages, the user's area, existing archives, changes) and
writing them set-based: bulk INSERTs and UPDATEs, history rows by INSERT … SELECT, one transaction
(children.imports runs the import)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import RowResult

from accounts.models import Area, AreaLevel, User, enclosing_code

from . import access, bulk
from .categories import categories_in, flags_for
from .models import (
    AccessAction,
    ArchiveStatus,
    Child,
    ChildCategory,
    Colour,
    ColourChange,
    FamilyMember,
    Health,
    Relation,
)
from .roster_cleaning import (
    CHUNK,
    Progress,
    Row,
)
from .roster_format import (
    CHILD_FIELDS,
    GUARDIAN_FIELDS,
    HEADER_OF,
)

log = logging.getLogger(__name__)
WRITE_CHUNK = 20_000  # new archives written per COPY (bounded memory; fewer round trips than CHUNK)


# --- Checking a whole file ----------------------------------------------------------------------------------


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _offices(codes: Iterable[str]) -> dict[str, str]:
    """Village code -> the county civil-affairs office holding its archives (errors name no village or township)."""
    from .services import office_of

    return {a.code: office_of(a) for a in Area.objects.filter(code__in=set(codes)).select_related("parent__parent")}


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


