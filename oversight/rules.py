"""Policy of the recorded-only duties (issue 15), with no ORM and no clock: "today" and the year are arguments.

- Parents working away contact the child (and the caregiver) at least weekly: 001 §6 "与留守子女、委托照护人至少每周
  联系和交流一次"; 003 §5 "村（社区）要协助监督外出务工的父母或其他监护人每周至少与留守子女联系一次".
- A left-behind child has a signed entrusted-care agreement: 002 "确保农村留守儿童 100% 签订委托照护协议书"; 003 §5
  "指导外出务工的父母或其他监护人委托合适人员进行照护，签订委托照护协议书".
- Parents and guardians get a psychological-health training at least once a year: 001 §2 "面向留守和困境儿童父母或其他
  监护人每年至少开展一次心理健康知识培训". The seed names no place; that a training held in a township (or a county
  above it) counts for every village in it is this system's choice.
- The full screening done by a date (ScreeningMilestone, e.g. 001 §10, 003 §8, 004 §三(二)).
"""

import datetime

# FamilyMember.contact_frequency values that meet "at least weekly"; the others (monthly, rarely, never) fall short.
WEEKLY_OR_MORE = ("daily", "weekly")
BELOW_WEEKLY = ("monthly", "rarely", "never")


def contact_below_weekly(frequency: str) -> bool | None:
    """Whether a recorded contact frequency falls short of weekly; None when it is not recorded."""
    if not frequency:
        return None
    return frequency not in WEEKLY_OR_MORE


def agreement_missing(has_caregiver: bool, signed: bool) -> bool:
    """A left-behind child without an entrusted caregiver, or whose agreement is not signed."""
    return not (has_caregiver and signed)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def milestone_met(due_on: datetime.date, finished_by: int, started_by: int) -> str:
    """'met' when a screening of the whole county ended by the date, 'started' when one had only begun, else
    'missed'."""
    if finished_by:
        return "met"
    if started_by:
        return "started"
    return "missed"
