"""Visit policy, with no ORM and no clock: "today" is always an argument.

What each kind of visit counts as, when a child is due soon or overdue, and how a rule matches a child. The SQL
in visits/schedule.py does the same matching set-based; tests hold the two to the same table.
"""

import calendar
import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

DUE_SOON_DAYS = 7  # "本周待访": due within a week
ESCALATE_AFTER_DAYS = 30  # more than this many days overdue goes to county civil affairs
MORE_OFTEN_DEFAULT_DAYS = 14  # where a seed says "more often" with no number

# A home visit is also a contact; a phone/WeChat contact or a school visit is a contact but never a home visit.
HOME_KINDS = ("home",)
CONTACT_KINDS = ("home", "contact", "school")


# The least a visit record must say, by kind (issue 15): the fields that may not be left blank. A home visit records
# whom the director met and the core observations (living conditions, the guardian or caregiver, safety, the child's
# mood); a phone or WeChat contact whom and how. visits.services enforces it for every way a visit is written, and
# the visit form marks the same fields.
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "home": ("met_whom", "living_conditions", "caregiver_status", "safety_hazards", "mood"),
    "contact": ("met_whom", "channel"),
    "school": ("met_whom",),
    "other": ("met_whom",),
}

REQUIRED_MESSAGES = {
    "met_whom": gettext_lazy("Say whom you met or spoke to (the child, a parent, the guardian or the caregiver …)."),
    "living_conditions": gettext_lazy("Choose how the living conditions are."),
    "caregiver_status": gettext_lazy("Choose how the guardian or caregiver is doing."),
    "safety_hazards": gettext_lazy("Write the safety hazards you saw, or 无 if there were none."),
    "mood": gettext_lazy("Choose how the child's mood and behaviour are."),
    "channel": gettext_lazy("Choose how you made contact (phone, WeChat …)."),
}


# A phone's clock may run a little ahead of the server's: a visit may be timed up to this far ahead, but never on a
# later date than today's (issue 15: 00:05 tomorrow entered at 23:55 today is tomorrow's visit, refused).
CLOCK_DRIFT = datetime.timedelta(minutes=10)


def is_in_future(visited_at: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether a visit time is in the future. Both are local (Asia/Shanghai) times: the dates are compared first, so
    the clock-drift allowance never reaches into tomorrow."""
    if visited_at.date() > now.date():
        return True
    return visited_at > now + CLOCK_DRIFT


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def missing_fields(kind: str, values: Mapping[str, object]) -> list[str]:
    """The fields a visit of `kind` must fill that are blank in `values` (field name -> value), in rule order."""
    return [name for name in REQUIRED_FIELDS.get(kind, ()) if _blank(values.get(name))]


def kinds_requiring(field: str) -> list[str]:
    """The visit kinds that must fill `field`."""
    return [kind for kind, fields in REQUIRED_FIELDS.items() if field in fields]


class Status(models.TextChoices):
    OVERDUE = "overdue", pgettext_lazy("visit status", "Overdue")
    DUE_SOON = "due_soon", pgettext_lazy("visit status", "Due within 7 days")
    ON_TIME = "on_time", pgettext_lazy("visit status", "On time")
    NO_RULE = "no_rule", pgettext_lazy("visit status", "No visit rule applies")


def status_for(due_on: datetime.date | None, today: datetime.date) -> tuple[str, int]:
    """(status, days overdue) for a due date."""
    if due_on is None:
        return Status.NO_RULE, 0
    if due_on < today:
        return Status.OVERDUE, (today - due_on).days
    if due_on <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return Status.DUE_SOON, 0
    return Status.ON_TIME, 0


@dataclass(frozen=True)
class ChildFacts:
    category_flags: int = 0
    parent_flags: int = 0
    risk_grade: str = ""
    colour: str = ""
    disability_grade: int | None = None


def _in_list(value: str, listed: str) -> bool:
    return bool(value) and value in {v.strip() for v in listed.split(",") if v.strip()}


def rule_matches(rule, facts: ChildFacts) -> bool:
    """Every condition the rule gives must hold; a condition lists alternatives (any of them)."""
    if rule.category_mask and not facts.category_flags & rule.category_mask:
        return False
    if rule.parent_mask and not facts.parent_flags & rule.parent_mask:
        return False
    if rule.risk_grades and not _in_list(facts.risk_grade, rule.risk_grades):
        return False
    if rule.colours and not _in_list(facts.colour, rule.colours):
        return False
    if rule.max_disability_grade is not None and (
        facts.disability_grade is None or facts.disability_grade > rule.max_disability_grade
    ):
        return False
    return True


def strictest(rules) -> tuple[int | None, int | None]:
    """The shortest gap for home visits and for contacts over the matching rules."""
    home = [r.home_visit_days for r in rules if r.home_visit_days]
    contact = [r.contact_days for r in rules if r.contact_days]
    return (min(home) if home else None, min(contact) if contact else None)


def deciding(rules) -> tuple[object | None, object | None]:
    """The rule that sets each interval, for home visits and for contacts: the one with the shortest gap (the days
    `strictest` gives, from which the due date counts). Of equally strict rules the first given decides, so the
    archive page names one."""
    home = min((r for r in rules if r.home_visit_days), key=lambda r: r.home_visit_days, default=None)
    contact = min((r for r in rules if r.contact_days), key=lambda r: r.contact_days, default=None)
    return home, contact


def due_date(last: datetime.date | None, registered_on: datetime.date, days: int | None) -> datetime.date | None:
    """A new child is due counting from its registration date."""
    if days is None:
        return None
    return (last or registered_on) + datetime.timedelta(days=days)


# ---------------------------------------------------------------- screenings (全面摸底排查, 一年两排)

# Directors are reminded this many days before a screening's deadline (the system's choice: no seed gives a number).
CAMPAIGN_REMINDER_DAYS = (7, 1)


def campaign_reminder_due(deadline: datetime.date, today: datetime.date) -> int | None:
    """The days left when today is a reminder day of a screening with this deadline, else None."""
    left = (deadline - today).days
    return left if left in CAMPAIGN_REMINDER_DAYS else None


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (the month's last day where it is shorter: 31 Aug + 6 months is 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def screening_lapse(
    last_started: datetime.date | None, today: datetime.date, per_year: int | None
) -> datetime.date | None:
    """When a region asks for `per_year` full screenings a year (002's 一年两排: 2), a county lapses when 12 / per_year
    months pass after its last screening started without a new one. Returns the date the next one was due by, when
    that date has passed (the lapse, one notification per lapse), else None. With no screening ever, the period
    (e.g. the half year) that today falls in has its first day as the due date, so a county that never screened is
    told once per period."""
    if not per_year:
        return None
    months = max(1, 12 // per_year)
    if last_started is None:
        first = datetime.date(today.year, 1, 1)
        return add_months(first, ((today.month - 1) // months) * months)
    due = add_months(last_started, months)
    return due if today > due else None
