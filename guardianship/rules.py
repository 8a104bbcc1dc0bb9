"""Guardianship policy, pure (no ORM, no clock: "now" and "today" are arguments): scoring a family guardianship
capacity assessment (家庭监护能力评估), the report and referral workflows, when a report is late, and when reviews and
follow-ups are reminded.

The instrument is data (items, options with scores, grade thresholds, critical options); these functions only
apply it. A critical answer (e.g. abuse found) makes the grade high whatever the total.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

GRADES = ("low", "medium", "high")
# The colour grade an assessment proposes for the child (四色管理); staff confirm it.
PROPOSED_COLOUR = {"low": "green", "medium": "orange", "high": "red"}


@dataclass(frozen=True)
class Answer:
    score: int
    critical: bool = False


def total(answers: Iterable[Answer]) -> int:
    return sum(a.score for a in answers)


def grade_for(answers: Iterable[Answer], thresholds: dict[str, int]) -> tuple[int, str]:
    """(score, grade). `thresholds` maps a grade to the lowest total that reaches it, e.g. {"medium": 10,
    "high": 20}; anything below the lowest threshold is "low"."""
    answers = list(answers)
    score = total(answers)
    if any(a.critical for a in answers):
        return score, "high"
    grade = "low"
    for g in GRADES:
        if g in thresholds and score >= thresholds[g]:
            grade = g
    return score, grade


# Mandatory reports (强制报告): filed → acknowledged → handling → closed.
REPORT_TRANSITIONS = {
    "filed": {"acknowledged"},
    "acknowledged": {"handling", "closed"},
    "handling": {"closed"},
    "closed": set(),
}
ACKNOWLEDGE_WITHIN_HOURS = 24


def can_move(current: str, new: str) -> bool:
    return new in REPORT_TRANSITIONS.get(current, set())


def unacknowledged_too_long(status: str, filed_at, now) -> bool:
    return status == "filed" and now - filed_at > datetime.timedelta(hours=ACKNOWLEDGE_WITHIN_HOURS)


# A mandatory report is made at once (立即报告): "发现……应当立即向公安、民政、教育等有关部门报告" (000 #20, 004 §6).
# The seeds name no number of hours; reading "at once" as "within 24 hours of finding the harm" is this project's
# choice (the same window as the acknowledgement above). Later than that, the report is flagged as late.
REPORT_WITHIN_HOURS = 24
REPORT_WITHIN = datetime.timedelta(hours=REPORT_WITHIN_HOURS)


def report_delay(found_at: datetime.datetime, reported_at: datetime.datetime) -> datetime.timedelta:
    """How long after the harm was found it was reported (never negative)."""
    return max(reported_at - found_at, datetime.timedelta(0))


def reported_late(found_at: datetime.datetime, reported_at: datetime.datetime) -> bool:
    """Late when reported more than REPORT_WITHIN_HOURS after the harm was found. guardianship.reports.late_q is
    the same rule as a query (tests/guardianship/test_harm.py holds the two to the same cases)."""
    return reported_at - found_at > REPORT_WITHIN


def delay_parts(delay: datetime.timedelta) -> tuple[int, int]:
    """(days, hours) of a delay, rounded down to the hour, for display."""
    hours = int(delay.total_seconds() // 3600)
    return hours // 24, hours % 24


# Reviews of interventions and temporary placements: reminded REVIEW_NOTICE_DAYS before, on the day, and once when
# missed (this project's choice: the seeds ask for reviews but name no notice period).
REVIEW_NOTICE_DAYS = 7


def review_stage(review_on: datetime.date | None, today: datetime.date) -> str | None:
    """Which reminder a review date calls for today: "soon" (within the notice days), "due" (today), "overdue"
    (missed), or None (not yet, or no date)."""
    if review_on is None:
        return None
    if review_on < today:
        return "overdue"
    if review_on == today:
        return "due"
    if review_on <= today + datetime.timedelta(days=REVIEW_NOTICE_DAYS):
        return "soon"
    return None


# A visit that finds the entrusted caregiver unable to care opens a follow-up: tell the parents and choose another
# caregiver (000 #17, 003 §5, 004 §5). The seeds give no deadline; a week is this project's choice.
CAREGIVER_FOLLOW_UP_DAYS = 7


# Referrals (转介): sent → accepted → in progress → done, or declined (with a reason) while not yet under way.
REFERRAL_TRANSITIONS = {
    "sent": {"accepted", "declined"},
    "accepted": {"in_progress", "done", "declined"},
    "in_progress": {"done"},
    "done": set(),
    "declined": set(),
}


def referral_can_move(current: str, new: str) -> bool:
    return new in REFERRAL_TRANSITIONS.get(current, set())
