"""The holiday safety lecture (000 #39, 001 §16, 003 §13, 004 §13: a safety lecture before the winter and summer
holidays): the villages with no safety-education event (oversight Activity of kind safety_education held in the
village, at its children's home or elsewhere in it) in the days before their region's holiday start, as a list
and as a daily reminder to the villages' directors and the townships' supervisors.

Holiday dates are data (sites.HolidayCalendar, the nearest region above a village wins); without one, the system's
defaults (sites.rules.DEFAULT_CALENDAR: no seed gives dates).
"""

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Area, AreaLevel, Notification, Role, User, enclosing_code
from oversight.models import Activity, ActivityKind

from . import rules
from .models import HolidayCalendar


def calendars() -> list[tuple[str, rules.Calendar]]:
    """Every region's calendar as (prefix, calendar), longest prefix first, then the default (one query)."""
    rows = HolidayCalendar.objects.values_list(
        "area__prefix", "winter_month", "winter_day", "summer_month", "summer_day", "window_days", "remind_days"
    )
    out = [(p, rules.Calendar((wm, wd), (sm, sd), window, remind)) for p, wm, wd, sm, sd, window, remind in rows]
    return sorted(out, key=lambda r: -len(r[0])) + [("", rules.DEFAULT_CALENDAR)]


def calendar_for(code: str, table: list[tuple[str, rules.Calendar]]) -> tuple[str, rules.Calendar]:
    return next((prefix, cal) for prefix, cal in table if code.startswith(prefix))


def _under(prefix: str, table: list[tuple[str, rules.Calendar]], field: str = "code") -> Q:
    """Areas whose calendar is the one of `prefix`: under it and under no longer prefix of the table."""
    q = Q(**{f"{field}__startswith": prefix})
    for other, _cal in table:
        if len(other) > len(prefix) and other.startswith(prefix):
            q &= ~Q(**{f"{field}__startswith": other})
    return q


def without_lecture(villages: QuerySet[Area], first: datetime.date, last: datetime.date) -> QuerySet[Area]:
    held = Activity.objects.filter(
        kind=ActivityKind.SAFETY_EDUCATION, area_id=OuterRef("code"), date__gte=first, date__lte=last
    )
    return villages.filter(~Exists(held))


def missing_list(
    villages: QuerySet[Area], season: str, year: int, table: list[tuple[str, rules.Calendar]], limit: int = 500
) -> dict:
    """Among `villages` (already scoped to the user), those without a lecture before their region's `season`
    holiday of `year`: one group per calendar that applies (one list query and one count per calendar)."""
    groups = []
    for prefix, cal in table:
        start = rules.holiday_start(season, year, cal)
        first, last = rules.lecture_window(start, cal)
        qs = without_lecture(villages.filter(_under(prefix, table)), first, last).select_related("parent")
        missing = list(qs.order_by("code")[:limit])
        if missing:
            groups.append({"start": start, "first": first, "last": last, "villages": missing, "n": qs.count()})
    return {"season": season, "year": year, "groups": groups, "n": sum(g["n"] for g in groups)}


# ---------------------------------------------------------------- the daily reminder


def due_reminders(today: datetime.date) -> dict[int, tuple[str, datetime.date, str, int]]:
    """Per user to remind today: (season, start, stage, villages without a lecture). Directors get their villages;
    supervisors their township's. A fixed number of queries per calendar whose reminder days include today."""
    table = calendars()
    out: dict[int, list] = {}
    for prefix, cal in table:
        season, start = rules.next_holiday(today, cal)
        stage = rules.reminder_stage(today, start, cal)
        if stage is None:
            continue
        first, last = rules.lecture_window(start, cal)
        villages = Area.objects.filter(_under(prefix, table), level=AreaLevel.VILLAGE)
        missing = list(without_lecture(villages, first, last).values_list("code", flat=True))
        if not missing:
            continue
        townships: dict[str, int] = {}
        for code in missing:
            township = enclosing_code(code, AreaLevel.TOWNSHIP)
            townships[township] = townships.get(township, 0) + 1
        links = User.areas.through.objects.filter(
            Q(area_id__in=missing, user__role=Role.DIRECTOR)
            | Q(area_id__in=list(townships), user__role=Role.SUPERVISOR),
            user__is_active=True,
        ).values_list("user_id", "area_id")
        for user_id, area_id in links:
            n = townships.get(area_id, 1)  # a supervisor: the township's villages; a director: one village
            entry = out.setdefault(user_id, [season, start, stage, 0])
            entry[3] += n
    return {user_id: tuple(v) for user_id, v in sorted(out.items())}


def reminder_notes(today: datetime.date) -> list[Notification]:
    """One notification per user per holiday and stage (its key): written once however often the task runs."""
    url = reverse("sites:holiday_safety")
    notes = []
    for user_id, (season, start, stage, n) in due_reminders(today).items():
        season_label = _("winter holiday") if season == rules.WINTER else _("summer holiday")
        notes.append(
            Notification(
                user_id=user_id,
                key=f"holiday-safety:{start.isoformat()}:{stage}",
                url=f"{url}?season={season}&year={start.year}",
                title=_(
                    "Holiday safety: %(n)d villages have held no safety lecture before the %(season)s starting on "
                    "%(date)s"
                )
                % {"n": n, "season": season_label, "date": start.isoformat()},
            )
        )
    return notes


def send_reminders(*, today: datetime.date) -> dict:
    from visits.reminders import send_pending_emails, write_notifications

    with translation.override(settings.LANGUAGE_CODE):
        notes = reminder_notes(today)
        write_notifications(notes)
        emailed = send_pending_emails(keys=[n.key for n in notes]) if notes else 0
    return {"notified": len(notes), "emailed": emailed}
