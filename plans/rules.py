"""Help-plan policy, pure: which requirement a child meets, which region's set decides, when a measure or a review
is due. No ORM, no clock: "today" is an argument."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

# A measure is reminded to its owner this many days before its due date (and on the day); once overdue it is
# escalated to the county's civil affairs at once, as a case conference's follow-up is (guardianship.sweep).
# The system's choice: the seeds give no number.
MEASURE_NOTICE_DAYS = 3
# A plan's review is reminded to its responsible person this many days before the date (the system's choice).
REVIEW_NOTICE_DAYS = 7
# A plan without a review date is reviewed at the latest this many days after it was drawn up or last reviewed
# (the system's choice; a region may set its own date on each plan).
DEFAULT_REVIEW_DAYS = 90

GENERAL, RETURN_TO_SCHOOL = "general", "return_to_school"


@dataclass(frozen=True)
class Requirement:
    """The conditions of one requirement (plans.models.PlanRequirement): every condition given must hold, each
    condition being any of its values; an empty condition holds for everyone."""

    category_mask: int = 0
    colours: frozenset[str] = frozenset()
    risk_grades: frozenset[str] = frozenset()
    enrolments: frozenset[str] = frozenset()
    plan_kind: str = GENERAL


@dataclass(frozen=True)
class ChildFacts:
    category_flags: int
    colour: str
    risk_grade: str
    enrolment: str


def codes(text: str) -> frozenset[str]:
    """A comma-separated list of codes as stored on a requirement."""
    return frozenset(c.strip() for c in (text or "").split(",") if c.strip())


def has_conditions(req: Requirement) -> bool:
    return bool(req.category_mask or req.colours or req.risk_grades or req.enrolments)


def matches(req: Requirement, child: ChildFacts) -> bool:
    """A requirement without any condition matches nobody (it would ask a plan of every child: a mistake)."""
    if not has_conditions(req):
        return False
    return (
        (not req.category_mask or bool(child.category_flags & req.category_mask))
        and (not req.colours or child.colour in req.colours)
        and (not req.risk_grades or child.risk_grade in req.risk_grades)
        and (not req.enrolments or child.enrolment in req.enrolments)
    )


def deciding_prefix(prefixes: Iterable[str], village_code: str) -> str | None:
    """The longest prefix among the active rule sets' that the village's code starts with (the default set's is
    ""); None when no set applies."""
    best = None
    for prefix in prefixes:
        if village_code.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def required_kinds(requirements: Iterable[Requirement], child: ChildFacts) -> set[str]:
    """The plan kinds the child's region requires of it (empty: no plan required)."""
    return {r.plan_kind for r in requirements if matches(r, child)}


def satisfied(kinds: set[str], open_plan_kind: str | None) -> bool:
    """Whether the child's open plan (None: none) meets what is required: a return-to-school plan is also a help
    plan; a dropout's plan must be a return-to-school plan (004 §10)."""
    if not kinds:
        return True
    if open_plan_kind is None:
        return False
    return RETURN_TO_SCHOOL not in kinds or open_plan_kind == RETURN_TO_SCHOOL


def measure_stage(due_on: datetime.date, today: datetime.date) -> str | None:
    """ "soon" within the notice days before the due date and on it, "overdue" after it, else None."""
    if due_on < today:
        return "overdue"
    if due_on <= today + datetime.timedelta(days=MEASURE_NOTICE_DAYS):
        return "soon"
    return None


def review_stage(review_on: datetime.date | None, today: datetime.date) -> str | None:
    if review_on is None:
        return None
    if review_on < today:
        return "overdue"
    if review_on <= today + datetime.timedelta(days=REVIEW_NOTICE_DAYS):
        return "soon"
    return None


def next_review(after: datetime.date, chosen: datetime.date | None) -> datetime.date:
    """The plan's next review: the date chosen, else DEFAULT_REVIEW_DAYS after `after`."""
    return chosen or after + datetime.timedelta(days=DEFAULT_REVIEW_DAYS)
