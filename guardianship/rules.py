"""Scoring a family guardianship capacity assessment (家庭监护能力评估): pure, no ORM.

The instrument is data (items, options with scores, grade thresholds, critical options); these functions only
apply it. A critical answer (e.g. abuse found) makes the grade high whatever the total.
"""

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
    import datetime

    return status == "filed" and now - filed_at > datetime.timedelta(hours=ACKNOWLEDGE_WITHIN_HOURS)


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
