"""Reads of children, already scoped through children.access, with the joins their pages need."""

from dataclasses import dataclass
from operator import attrgetter

from django.db.models import Case, F, IntegerField, Prefetch, QuerySet, Value, When

from accounts.models import User

from . import access
from .categories import CATEGORY_BITS
from .models import (
    ArchiveStatus,
    Child,
    ChildCategory,
    Colour,
)

COLOUR_RANK = Case(
    When(colour=Colour.RED, then=Value(0)),
    When(colour=Colour.ORANGE, then=Value(1)),
    When(colour=Colour.YELLOW, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


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
    from .idnumber import mask

    if value in (None, ""):
        return ""
    if field.name == "id_number" and mask_ids:
        return mask(str(value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def archive_history(child: Child, limit: int = 50, *, mask_ids: bool = True) -> list[HistoryRow]:
    """Every change to the archive (who, when, what) from the django-simple-history tables: a fixed number of
    queries, one per history table."""
    from .models import CareRecord, EntrustedCare, FamilyMember, Problem, WelfareCoverage, WorkLogEntry

    rows: list[HistoryRow] = []
    sources = [(Child.history.filter(id=child.pk), Child._meta.verbose_name)]
    for model in (ChildCategory, FamilyMember, EntrustedCare, WelfareCoverage, Problem, CareRecord, WorkLogEntry):
        sources.append((model.history.filter(child_id=child.pk), model._meta.verbose_name))
    for qs, label in sources:
        records = list(qs.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
        # Pair each record with the one before it of the same object to list the changed fields.
        by_object: dict = {}
        for rec in reversed(records):
            prev = by_object.get(rec.id)
            changes = []
            if prev is not None and rec.history_type == "~":
                delta = rec.diff_against(prev)
                changes = []
                for c in delta.changes:
                    if c.field in HIDDEN_IN_HISTORY:
                        continue
                    field = rec.instance._meta.get_field(c.field)
                    changes.append(
                        (
                            str(field.verbose_name),
                            _shown(field, c.old, mask_ids=mask_ids),
                            _shown(field, c.new, mask_ids=mask_ids),
                        )
                    )
            by_object[rec.id] = rec
            rows.append(
                HistoryRow(
                    when=rec.history_date,
                    who=str(rec.history_user) if rec.history_user else "",
                    what=str(label),
                    kind=rec.get_history_type_display(),
                    changes=changes,
                )
            )
    rows.sort(key=attrgetter("when"), reverse=True)
    return rows[:limit]
