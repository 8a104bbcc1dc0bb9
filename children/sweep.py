"""The archives' part of the daily sweep (run by visits.reminders.daily_sweep before the visit schedules are
refreshed): archives close at 18, the director is told the week before, left-behind categories end at the region's
age limit, and the facts are held against the categories (children.identification). Set-based and idempotent: one
query finds the children of each step, one UPDATE per chunk writes them and one INSERT … SELECT their history rows;
running it twice, or after a day it missed, does each thing once and dates it when it was due."""

import datetime
import logging

from django.db import transaction
from django.db.models import Case, DateField, F, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Notification, Role, User

from . import identification, rules
from .bulk import History, insert_history
from .categories import CATEGORY_BITS, LEFT_BEHIND
from .models import ArchiveStatus, Child, ChildCategory, CloseReason

log = logging.getLogger(__name__)
CHUNK = 500
NOTICE = datetime.timedelta(days=rules.TURNING_18_NOTICE_DAYS)


def _dated(ids_dates: dict[int, datetime.date]) -> Case:
    return Case(*(When(pk=pk, then=Value(d)) for pk, d in ids_dates.items()), output_field=DateField())


def _refresh_schedules(child_ids: list[int]) -> None:
    from visits import schedule

    schedule.refresh(child_ids=child_ids)


@transaction.atomic
def close_adults(today: datetime.date) -> list[int]:
    """Close every open archive of someone 18 or older, dated the 18th birthday (reason "turned 18"), with a
    history row each; their visit schedules go (nobody is due or reminded any more)."""
    rows = list(
        Child.objects.filter(status=ArchiveStatus.OPEN, birth_date__lte=rules.born_by(today, rules.ADULT_AGE))
        .order_by("pk")
        .values_list("pk", "birth_date", "registered_on")
    )
    ids = [pk for pk, _b, _r in rows]
    for start in range(0, len(rows), CHUNK):
        dates = {pk: max(rules.closes_on(birth), registered) for pk, birth, registered in rows[start : start + CHUNK]}
        Child.objects.filter(pk__in=list(dates), status=ArchiveStatus.OPEN).update(
            status=ArchiveStatus.CLOSED,
            close_reason=CloseReason.TURNED_18,
            closed_on=_dated(dates),
            version=F("version") + 1,
        )
    if ids:
        insert_history(Child, ids, History(user_id=None, reason="turned 18", kind="~"))
        _refresh_schedules(ids)
    return ids


def turning_18_notes(today: datetime.date) -> list[Notification]:
    """The directors of the village of each child who turns 18 within the week (not today: today it closes),
    once per child (the key names the child and the birthday)."""
    children = list(
        Child.objects.filter(
            status=ArchiveStatus.OPEN,
            birth_date__gt=rules.born_by(today, rules.ADULT_AGE),
            birth_date__lte=rules.born_by(today + NOTICE, rules.ADULT_AGE),
        ).values_list("pk", "name", "birth_date", "village_id")
    )
    if not children:
        return []
    directors: dict[str, list[int]] = {}
    for user_id, village in User.areas.through.objects.filter(
        area_id__in={c[3] for c in children}, user__is_active=True, user__role=Role.DIRECTOR
    ).values_list("user_id", "area_id"):
        directors.setdefault(village, []).append(user_id)
    notes = []
    for pk, name, birth, village in children:
        day = rules.closes_on(birth)
        for user_id in directors.get(village, []):
            notes.append(
                Notification(
                    user_id=user_id,
                    key=f"turning-18:{pk}:{day}",
                    url=reverse("children:detail", args=[pk]),
                    title=_("%(name)s turns 18 on %(date)s: the archive will close by itself that day")
                    % {"name": name, "date": day.isoformat()},
                )
            )
    return notes


@transaction.atomic
def end_left_behind(today: datetime.date) -> list[int]:
    """End the current left-behind categories of open archives whose child has reached the region's age limit,
    dated the birthday (or the category's start, if later), with history rows; the children's category flags and
    schedules follow. Returns the children concerned."""
    table = identification.regions()
    youngest_limit = min([r.left_behind_max_age for _p, r in table] + [rules.Region().left_behind_max_age])
    rows = list(
        ChildCategory.objects.filter(
            ended_on__isnull=True,
            category__in=list(LEFT_BEHIND),
            child__status=ArchiveStatus.OPEN,
            child__birth_date__lte=rules.born_by(today, youngest_limit),
        )
        .order_by("pk")
        .values_list("pk", "started_on", "child_id", "child__birth_date", "child__village_id")
    )
    ends: dict[int, datetime.date] = {}
    children: set[int] = set()
    for pk, started, child_id, birth, village in rows:
        limit = identification.region_for(village, table).left_behind_max_age
        if rules.age_on(birth, today) >= limit:
            ends[pk] = max(rules.birthday(birth, limit), started)
            children.add(child_id)
    items = list(ends)
    for start in range(0, len(items), CHUNK):
        chunk = {pk: ends[pk] for pk in items[start : start + CHUNK]}
        ChildCategory.objects.filter(pk__in=list(chunk), ended_on__isnull=True).update(ended_on=_dated(chunk))
    if items:
        insert_history(ChildCategory, items, History(user_id=None, reason="left-behind age limit", kind="~"))
        lb = sum(CATEGORY_BITS[c] for c in LEFT_BEHIND)
        Child.objects.filter(pk__in=list(children)).update(category_flags=F("category_flags").bitand(~lb))
        _refresh_schedules(sorted(children))
    return sorted(children)


def daily(today: datetime.date) -> dict:
    closed = close_adults(today)
    notes = turning_18_notes(today)
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    ended = end_left_behind(today)
    # Daily: the children whose proposals can change today; on Sundays every candidate (identification.sweep).
    proposed, lapsed = identification.sweep(today, full=today.weekday() == 6)
    result = {
        "closed_at_18": len(closed),
        "told_turning_18": len(notes),
        "left_behind_ended": len(ended),
        "proposed": proposed,
        "lapsed": lapsed,
    }
    log.info("archive sweep %s: %s", today, result)
    return result
