"""Visit policy, with no ORM and no clock: "today" is always an argument.

What each kind of visit counts as, when a child is due soon or overdue, and which rules apply to a child.
`schedule_for` is the visit policy for one child, the definition: visits/schedule.py computes the same set-based in
SQL for speed, and a property test (tests/visits/test_schedule.py) compares the two over generated children. "Overdue"
and "due soon" are the ranges of due dates below (`overdue`, `due_soon`, `to_visit`, `escalated`, `within_interval`);
the schedule's queryset (visits.models.VisitScheduleQuerySet) and the raw SQL of reminders and dashboards (`due_sql`)
filter by them.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from children.rules import add_months  # the one definition (a month later, the last day where shorter)

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


@dataclass(frozen=True)
class DueRange:
    """Due dates from `first` to `last`, both included; None leaves that end open. A child without a due date (no
    rule applies) is in no range."""

    first: datetime.date | None = None
    last: datetime.date | None = None

    def __contains__(self, due_on: datetime.date | None) -> bool:
        if due_on is None:
            return False
        return (self.first is None or due_on >= self.first) and (self.last is None or due_on <= self.last)


def overdue(today: datetime.date, min_days: int = 1) -> DueRange:
    """Overdue by at least `min_days` days. Due today is not overdue; due yesterday is one day overdue."""
    return DueRange(last=today - datetime.timedelta(days=min_days))


def within_interval(today: datetime.date) -> DueRange:
    """Due today or later: the last visit is within the rule's interval (compliant, the dashboards' word)."""
    return DueRange(first=today)


def due_soon(today: datetime.date) -> DueRange:
    """Not overdue and due within `DUE_SOON_DAYS` days (due in exactly 7 days is due soon, in 8 is not)."""
    return DueRange(first=today, last=today + datetime.timedelta(days=DUE_SOON_DAYS))


def to_visit(today: datetime.date) -> DueRange:
    """本周待访: overdue or due soon."""
    return DueRange(last=due_soon(today).last)


# Overdue by more than ESCALATE_AFTER_DAYS: 30 days overdue stays with the township, 31 goes to the county.
ESCALATE_MIN_DAYS = ESCALATE_AFTER_DAYS + 1


def escalated(today: datetime.date) -> DueRange:
    return overdue(today, min_days=ESCALATE_MIN_DAYS)


def status_for(due_on: datetime.date | None, today: datetime.date) -> tuple[str, int]:
    """(status, days overdue) for a due date."""
    if due_on is None:
        return Status.NO_RULE, 0
    if due_on in overdue(today):
        return Status.OVERDUE, (today - due_on).days
    if due_on in due_soon(today):
        return Status.DUE_SOON, 0
    return Status.ON_TIME, 0


def days_overdue(due_on: datetime.date | None, today: datetime.date) -> int:
    return status_for(due_on, today)[1]


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


def applicable_rules(village_code: str, facts: ChildFacts, rule_sets: Iterable[tuple[str, Sequence]]) -> list:
    """The rules of the nearest rule set that has a rule matching the child, those that match, in the order given.

    `rule_sets`: (code prefix, rules) of each active set. The nearest set is the one with the longest prefix of the
    child's village code; the default set has the empty prefix, so a child no regional rule covers falls back to it.
    """
    applied: list = []
    depth = -1
    for prefix, set_rules in rule_sets:
        if len(prefix) <= depth or not village_code.startswith(prefix):
            continue
        matching = [r for r in set_rules if rule_matches(r, facts)]
        if matching:
            applied, depth = matching, len(prefix)
    return applied


def strictest(rules) -> tuple[int | None, int | None]:
    """The shortest gap for home visits and for contacts over the matching rules."""
    home = [r.home_visit_days for r in rules if r.home_visit_days is not None]
    contact = [r.contact_days for r in rules if r.contact_days is not None]
    return (min(home) if home else None, min(contact) if contact else None)


def deciding(rules) -> tuple[object | None, object | None]:
    """The rule that sets each interval, for home visits and for contacts: the one with the shortest gap (the days
    `strictest` gives, from which the due date counts). Of equally strict rules the first given decides, so the
    archive page names one."""
    home = min((r for r in rules if r.home_visit_days is not None), key=lambda r: r.home_visit_days, default=None)
    contact = min((r for r in rules if r.contact_days is not None), key=lambda r: r.contact_days, default=None)
    return home, contact


def last_visits(visits: Iterable[tuple[datetime.date, str]]) -> tuple[datetime.date | None, datetime.date | None]:
    """The dates of the last home visit and of the last contact (a home visit is also a contact) among
    (date, kind) pairs."""
    home = [day for day, kind in visits if kind in HOME_KINDS]
    contact = [day for day, kind in visits if kind in CONTACT_KINDS]
    return (max(home) if home else None, max(contact) if contact else None)


def due_date(last: datetime.date | None, registered_on: datetime.date, days: int | None) -> datetime.date | None:
    """A new child is due counting from its registration date."""
    if days is None:
        return None
    return (last or registered_on) + datetime.timedelta(days=days)


# ---------------------------------------------------------------- new obligations (issue 15)
#
# When the interval in force for a child gets stricter (the child moves to a region with other rules, gains a
# category, is graded a higher risk or another colour, or a rule set changes), the new interval is not counted from
# the last visit before the change: that would make the child overdue the day it arrives. The new obligation starts
# on the day of the change ("since") unless a visit since then satisfies it; and it never makes the child due later
# than it already was under the old interval (the "cap": the due date in force just before the change). An interval
# that stays the same keeps its since and cap; a looser one, or none, counts from the last visit again.


@dataclass(frozen=True)
class Obligation:
    """One kind's (home visits' or contacts') interval in force and since when."""

    days: int | None = None
    since: datetime.date | None = None  # the day a stricter interval (or a first one) came into force
    cap: datetime.date | None = None  # the due date in force just before it; None: no earlier due date


def obligation_after(
    previous: Obligation | None, previous_due: datetime.date | None, days: int | None, changed_on: datetime.date
) -> Obligation:
    """The obligation once `days` is the interval in force, given the one before (None: the child had no schedule,
    e.g. a new archive) and the due date in force under it. `changed_on`: the day the facts changed (the transfer,
    the category's start, the assessment, the colour change, or the day a rule change was applied)."""
    if days is None or previous is None:
        return Obligation(days=days)
    if previous.days is None:  # a first interval: due counting from the change, with no earlier due date
        return Obligation(days=days, since=changed_on)
    if days < previous.days:
        return Obligation(days=days, since=changed_on, cap=previous_due)
    if days == previous.days:
        return Obligation(days=days, since=previous.since, cap=previous.cap)
    return Obligation(days=days)


def due_under(obligation: Obligation, fresh_due: datetime.date | None) -> datetime.date | None:
    """The due date under an obligation. `fresh_due`: the due date counted from the last visit (or the registration),
    as for a child whose interval never changed."""
    if obligation.days is None or fresh_due is None:
        return None
    if obligation.since is None:
        return fresh_due
    from_since = obligation.since + datetime.timedelta(days=obligation.days)
    if fresh_due >= from_since:  # a visit since the change satisfies it (counting from the visit)
        return fresh_due
    return from_since if obligation.cap is None else min(from_since, obligation.cap)


def overdue_in_period(
    first: datetime.date,
    last: datetime.date,
    *,
    registered_on: datetime.date,
    visit_dates: Iterable[datetime.date],
    obligation: Obligation,
) -> bool:
    """Whether a child was overdue on some day of the period [first, last] from its registration on (the on-time
    rate's definition: on time is never overdue in the period). On each day the due date is the schedule's
    (`due_date` from the last visit before that day, or the registration, under the obligation: `due_under`), the
    worklist's status that morning, and overdue is `overdue(day)`. `visit_dates`: the dates of the visits of the
    obligation's kind (home visits for the home-visit interval). visits.selectors computes the same in SQL;
    tests/visits/test_on_time.py compares the two over generated children."""
    dates = sorted(visit_dates)
    day = max(first, registered_on)
    while day <= last:
        before = [d for d in dates if d < day]
        due = due_under(obligation, due_date(before[-1] if before else None, registered_on, obligation.days))
        if due in overdue(day):
            return True
        day += datetime.timedelta(days=1)
    return False


@dataclass(frozen=True)
class Schedule:
    """One open child's visit requirement, as visits.models.VisitSchedule stores it."""

    rules: tuple = ()  # the rules applied (applicable_rules); the row stores their ids
    home_days: int | None = None
    contact_days: int | None = None
    last_home_on: datetime.date | None = None
    last_contact_on: datetime.date | None = None
    home_due_on: datetime.date | None = None
    contact_due_on: datetime.date | None = None
    home_since: datetime.date | None = None
    home_cap: datetime.date | None = None
    contact_since: datetime.date | None = None
    contact_cap: datetime.date | None = None

    @property
    def due_on(self) -> datetime.date | None:
        """The earlier of the two due dates."""
        dates = [d for d in (self.home_due_on, self.contact_due_on) if d is not None]
        return min(dates) if dates else None


def schedule_for(
    *,
    village_code: str,
    facts: ChildFacts,
    registered_on: datetime.date,
    rule_sets: Iterable[tuple[str, Sequence]],
    visits: Iterable[tuple[datetime.date, str]],
    previous: Schedule | None = None,
    changed_on: datetime.date | None = None,
) -> Schedule:
    """The visit policy for one open child: the rules that apply, their strictest intervals, the last home visit and
    contact, and the due dates. `visits`: (date, kind) of every visit of the child. `previous`: the child's schedule
    before this change (None for a new archive), `changed_on`: the day of the change (see `obligation_after`)."""
    applied = applicable_rules(village_code, facts, rule_sets)
    home_days, contact_days = strictest(applied)
    last_home, last_contact = last_visits(visits)
    home, contact = Obligation(days=home_days), Obligation(days=contact_days)
    if previous is not None:
        assert changed_on is not None, "a change has a date"
        home = obligation_after(
            Obligation(previous.home_days, previous.home_since, previous.home_cap),
            previous.home_due_on,
            home_days,
            changed_on,
        )
        contact = obligation_after(
            Obligation(previous.contact_days, previous.contact_since, previous.contact_cap),
            previous.contact_due_on,
            contact_days,
            changed_on,
        )
    return Schedule(
        rules=tuple(applied),
        home_days=home_days,
        contact_days=contact_days,
        last_home_on=last_home,
        last_contact_on=last_contact,
        home_due_on=due_under(home, due_date(last_home, registered_on, home_days)),
        contact_due_on=due_under(contact, due_date(last_contact, registered_on, contact_days)),
        home_since=home.since,
        home_cap=home.cap,
        contact_since=contact.since,
        contact_cap=contact.cap,
    )


# ---------------------------------------------------------------- screenings (全面摸底排查, 一年两排)

# Directors are reminded this many days before a screening's deadline (the system's choice: no seed gives a number).
CAMPAIGN_REMINDER_DAYS = (7, 1)


def campaign_reminder_due(deadline: datetime.date, today: datetime.date) -> int | None:
    """The days left when today is a reminder day of a screening with this deadline, else None."""
    left = (deadline - today).days
    return left if left in CAMPAIGN_REMINDER_DAYS else None


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
