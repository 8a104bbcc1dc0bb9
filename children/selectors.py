"""Reads of children, already scoped through children.access, with the joins their pages need."""

import datetime
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models import F, Func, Prefetch, QuerySet, Value
from django.utils import timezone

from accounts.models import User

from . import access, privacy
from .categories import CATEGORY_BITS
from .models import (
    COLOUR_RANK,
    ArchiveStatus,
    Child,
    ChildCategory,
)


class NamePairs(Func):
    """The character pairs of a name (PostgreSQL's child_name_pairs, defined once in the migration children 0014)."""

    function = "child_name_pairs"
    output_field = ArrayField(models.TextField())


def child_list_for(user: User, filters: dict) -> QuerySet[Child]:
    """The children list: one query for the page (village joined) plus one for current categories."""
    qs = access.visible_children(user)
    status = filters.get("status") or ""
    if status == "":
        qs = qs.filter(status=ArchiveStatus.OPEN)
    elif status != "all":
        qs = qs.filter(status=status)
    q = (filters.get("q") or "").strip()
    if q:
        from .idnumber import normalise

        number = normalise(q)
        if number[:1].isdigit():
            # Roles that see masked numbers find a child only by the whole number, never digit by digit.
            qs = (
                qs.filter(id_number__startswith=number)
                if access.sees_full_id_number(user)
                else qs.filter(id_number=number)
            )
        else:
            qs = qs.filter(name__contains=q)
            if connection.vendor == "postgresql" and len(q) >= 2:
                # The names holding every pair of q's characters, through their GIN index (children 0014); the
                # LIKE above keeps the names that hold q itself.
                qs = qs.alias(name_pairs=NamePairs(F("name"))).filter(name_pairs__contains=NamePairs(Value(q)))
    village = filters.get("village")
    if isinstance(village, str) and village:
        qs = qs.filter(village__code__startswith=village)
    elif village:
        qs = qs.filter(village=village)
    if filters.get("category"):
        bit = CATEGORY_BITS[filters["category"]]
        qs = qs.alias(has_category=F("category_flags").bitand(bit)).filter(has_category__gt=0)
    if filters.get("colour"):
        qs = qs.filter(colour=filters["colour"])
    if filters.get("enrolment"):
        qs = qs.filter(enrolment=filters["enrolment"])
    order = {"name": "name", "birth": "-birth_date", "colour": "colour_rank", "village": "village_id"}.get(
        filters.get("sort") or "", "-id"
    )
    if order == "colour_rank":
        qs = qs.annotate(colour_rank=COLOUR_RANK)
    return (
        qs.select_related("village__parent")
        .prefetch_related(
            Prefetch(
                "categories",
                queryset=ChildCategory.objects.filter(ended_on__isnull=True).order_by("category"),
                to_attr="current_categories",
            )
        )
        .order_by(order, "-id")
    )


@dataclass
class HistoryRow:
    when: object
    who: str
    what: str
    kind: str
    changes: list


HIDDEN_IN_HISTORY = {"category_flags", "parent_flags", "version", "updated_at"}


def _shown(field, value, *, mask_ids: bool) -> str:
    """A value of a history record as shown: sensitive numbers through the one masking rule (children.privacy)."""
    if value in (None, ""):
        return ""
    kind = privacy.kind_of(field.model, field.name)
    if kind is not None:
        return privacy.shown(value, kind, full=not mask_ids)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _list_changes(child: Child) -> list:
    from exchange.selectors import changes_of_child  # exchange builds on children

    return changes_of_child(child)


# The archive page's record lists: reverse relation of Child -> how the page reads it. Most archives have rows in
# only a few of them, so one query first asks which relations have any row, and only those are read.
ARCHIVE_LISTS: dict[str, Callable[[Child], Any]] = {
    "categories": lambda c: list(c.categories.all()),
    "colour_changes": lambda c: list(c.colour_changes.select_related("changed_by")[:20]),
    "family": lambda c: list(c.family.all()),
    "entrusted_care": lambda c: c.entrusted_care,
    "welfare": lambda c: list(c.welfare.all()),
    "problems": lambda c: list(c.problems.all()),
    "care_records": lambda c: list(c.care_records.all()[:50]),
    "work_log": lambda c: list(c.work_log.select_related("created_by")[:50]),
    "transfers": lambda c: list(c.transfers.select_related("from_village", "to_village")),
    "assessments": lambda c: list(c.assessments.select_related("assessor")[:20]),
    "referrals": lambda c: list(c.referrals.select_related("department", "organisation")[:20]),
    "pairings": lambda c: list(c.pairings.select_related("helper")[:20]),
    "reports": lambda c: list(c.reports.all()[:20]),
    "interventions": lambda c: list(c.interventions.all()[:20]),
    "placements": lambda c: list(c.placements.all()[:20]),
    "conferences": lambda c: list(c.conferences.prefetch_related("follow_ups__owner")[:20]),
    # The open ones only (from a conference or a visit), for the summary at the top of the page.
    "follow_ups": lambda c: list(c.follow_ups.filter(done_on__isnull=True).select_related("owner").order_by("due_on")),
    "activities": lambda c: list(c.activities.select_related("area").order_by("-date", "-id")[:50]),
    # What departments' lists reported (exchange: proposals to the director), the latest ten.
    "list_changes": _list_changes,
}


@dataclass(frozen=True)
class ArchiveSummary:
    """What a director must see in two seconds at the top of an archive (issue 17): what is still open."""

    open_reports: int
    open_referrals: int
    open_follow_ups: int
    open_problems: int
    current_categories: list
    pending_list_changes: int = 0

    @property
    def anything_open(self) -> bool:
        return bool(
            self.open_reports
            or self.open_referrals
            or self.open_follow_ups
            or self.open_problems
            or self.pending_list_changes
        )


def archive_summary(lists: dict[str, Any]) -> ArchiveSummary:
    """Counted from the lists `archive_lists` read (no query of its own)."""
    from exchange.models import ChangeStatus
    from guardianship.models import ReportStatus

    return ArchiveSummary(
        open_reports=sum(1 for r in lists["reports"] if r.status != ReportStatus.CLOSED),
        open_referrals=sum(1 for r in lists["referrals"] if r.is_open),
        open_follow_ups=len(lists["follow_ups"]),
        open_problems=sum(1 for p in lists["problems"] if not p.resolved_on),
        current_categories=[c for c in lists["categories"] if not c.ended_on],
        pending_list_changes=sum(1 for p in lists["list_changes"] if p.status == ChangeStatus.PENDING),
    )


@functools.cache
def _presence_sql(relations: tuple[str, ...]) -> str:
    """SELECT EXISTS(…), EXISTS(…), … : whether each reverse relation of Child has a row for one child."""
    quote = connection.ops.quote_name
    checks = []
    for name in relations:
        relation = Child._meta.get_field(name)
        if relation.many_to_many:  # the through table's column naming the child
            table, column = relation.through._meta.db_table, relation.field.m2m_reverse_name()
        else:
            table, column = relation.related_model._meta.db_table, relation.field.column
        checks.append(f"EXISTS (SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s)")
    return "SELECT " + ", ".join(checks)


def archive_lists(child: Child) -> dict[str, Any]:
    """The archive page's record lists of a child (as children.access gave it): one query to learn which lists
    have rows, then one query per non-empty list. An empty list is [] (None for a one-to-one relation)."""
    relations = tuple(ARCHIVE_LISTS)
    with connection.cursor() as cursor:
        cursor.execute(_presence_sql(relations), [child.pk] * len(relations))
        present = dict(zip(relations, cursor.fetchone(), strict=True))
    return {
        name: read(child) if present[name] else (None if Child._meta.get_field(name).one_to_one else [])
        for name, read in ARCHIVE_LISTS.items()
    }


HISTORY_SOURCES = (
    "Child",
    "ChildCategory",
    "FamilyMember",
    "EntrustedCare",
    "WelfareCoverage",
    "Problem",
    "CareRecord",
    "WorkLogEntry",
)


@functools.cache
def _history_sources() -> list[tuple]:
    """(model, its history model, the fields simple-history's `diff_against` compares: the tracked, editable ones,
    by name as it lists them), in the order of HISTORY_SOURCES. Static once the models are loaded."""
    from . import models as child_models

    sources = []
    for name in HISTORY_SOURCES:
        model = getattr(child_models, name)
        history_model = model.history.model  # simple-history builds a manager class per access: once here
        fields = [f for f in history_model.tracked_fields if f.editable and f.name not in HIDDEN_IN_HISTORY]
        sources.append((model, history_model, sorted(fields, key=attrgetter("name"))))
    return sources


@functools.cache
def _history_sql(vendor: str, limit: int) -> str:
    """One UNION ALL over the history tables of the archive: per table its `limit` newest records of the child,
    each with its diffed fields as one JSON array, and the recording user's name. Built once per process."""
    array = {"postgresql": "json_build_array", "sqlite": "json_array"}.get(vendor, "json_array")
    quote = connection.ops.quote_name
    parts = []
    for index, (model, history_model, fields) in enumerate(_history_sources()):
        table = quote(history_model._meta.db_table)
        key = "id" if model is Child else "child_id"
        columns = ", ".join(f"h.{quote(f.column)}" for f in fields)
        parts.append(
            f"SELECT * FROM (SELECT {index} AS src, h.history_id, h.history_date, h.history_type, h.history_user_id,"
            f" h.id AS object_id, {array}({columns}) AS data FROM {table} h WHERE h.{quote(key)} = %s"
            f" ORDER BY h.history_date DESC, h.history_id DESC LIMIT {limit}) AS p{index}"
        )
    return (
        "SELECT x.src, x.history_date, x.history_type, x.object_id, x.data, u.username, u.first_name, u.last_name"
        f" FROM ({' UNION ALL '.join(parts)}) AS x LEFT JOIN {quote(User._meta.db_table)} u ON u.id = x.history_user_id"
        " ORDER BY x.src, x.history_date DESC, x.history_id DESC"
    )


def _field_value(field, value):
    if value is None:
        return None
    if isinstance(field, models.DecimalField):
        return Decimal(str(value)).quantize(Decimal(1).scaleb(-field.decimal_places))
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)


def _aware(value) -> datetime.datetime:
    """A history date as the database driver gives it from a UNION: a datetime, or SQLite's text in UTC."""
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


def archive_history(
    child: Child, limit: int = 50, *, user: User | None = None, mask_ids: bool | None = None
) -> list[HistoryRow]:
    """Every change to the archive (who, when, what) from the django-simple-history tables, in one query. Each
    record is paired with the one before it of the same object to list the changed fields, as simple-history's
    `diff_against` does (tests/children/test_history.py holds the two side by side).

    ID and phone numbers are shown as `user` may see them (children.privacy); `mask_ids` overrides that (tests,
    older callers), and with neither they are masked."""
    if mask_ids is None:
        mask_ids = not privacy.sees_full(user)
    sources = _history_sources()
    with connection.cursor() as cursor:
        cursor.execute(_history_sql(connection.vendor, limit + 1), [child.pk] * len(sources))
        records = cursor.fetchall()
    kinds = dict(sources[0][1]._meta.get_field("history_type").flatchoices)
    rows: list[HistoryRow] = []
    by_source: dict[int, list] = {}
    for record in records:
        by_source.setdefault(record[0], []).append(record)
    for index, (model, _history_model, fields) in enumerate(sources):
        label = str(model._meta.verbose_name)
        previous: dict = {}
        for _src, when, kind, object_id, data, username, first_name, last_name in reversed(by_source.get(index, [])):
            values = json.loads(data) if isinstance(data, str) else data
            values = [_field_value(field, value) for field, value in zip(fields, values, strict=True)]
            before = previous.get(object_id)
            changes = []
            if before is not None and kind == "~":
                changes = [
                    (
                        str(field.verbose_name),
                        _shown(field, old, mask_ids=mask_ids),
                        _shown(field, new, mask_ids=mask_ids),
                    )
                    for field, old, new in zip(fields, before, values, strict=True)
                    if old != new
                ]
            previous[object_id] = values
            who = str(User(username=username, first_name=first_name, last_name=last_name)) if username else ""
            rows.append(
                HistoryRow(
                    when=_aware(when),
                    who=who,
                    what=label,
                    kind=str(kinds.get(kind, kind)),
                    changes=changes,
                )
            )
    rows.sort(key=attrgetter("when"), reverse=True)
    return rows[:limit]
