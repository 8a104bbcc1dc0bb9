"""Pure rules of list submissions (no ORM, no clock: "today" is an argument)."""

import datetime

from children.categories import LEFT_BEHIND, Category
from children.models import WelfareKind

# Row statuses (exchange.models.RowStatus values) and the change each reports for a registered child.
CHANGE_OF_STATUS = {
    "dropped_out": "dropout",
    "parent_detained": "parent_detained",
    "parent_returned": "parent_returned",
    "died": "died",
    "seriously_ill": "seriously_ill",  # health's serious-illness list
    "disabled": "disabled",  # the disabled persons' federation's register
    "on_roll": "welfare_started",  # a welfare roll
}
# A change the archive already reflects: the category it adds is held (DOMAIN.md §2 codes).
HELD_AS = {
    "dropout": Category.DROPOUT,
    "seriously_ill": Category.SERIOUSLY_ILL,
    "disabled": Category.DISABLED,
}
# Statuses whose absence from the source's next list reports a change. A pupil or a parent missing from a list says
# nothing (the list may be of changes only); a roll is the complete register of who is on it.
CHANGE_WHEN_GONE = {"on_roll": "welfare_ended"}
# The welfare a welfare roll lists (the shipped profile's codes: 低保, 特困供养 -> on_roll; DOMAIN.md §2 "welfare
# coverage"). The seeds tie no category to a roll: being on it is recorded as the archive's welfare coverage.
ROLL_WELFARE = (WelfareKind.DIBAO, WelfareKind.TEKUN)
# Statuses that say an unregistered child may need help: such rows become candidates (screened as today's outside
# lists). A pupil in school, a parent back home or a death is no reason to register a child.
NEEDS_HELP = frozenset({"dropped_out", "parent_detained", "seriously_ill", "disabled", "on_roll"})
PARENT_STATUSES = frozenset({"parent_detained", "parent_returned"})
PARENTS = ("father", "mother")

# A detained parent's child is visited within this many days of the confirmation (the system's choice: 000 #15–16
# ask police to make sure the child is cared for, with no number of days).
VISIT_WITHIN_DAYS = 7


def person_key(id_number: str, name: str, birth: datetime.date | None, relation: str = "") -> str:
    """The person (and parent) a row is about, across a source's submissions: the ID number, else name and birth."""
    who = id_number or f"{name}|{birth.isoformat() if birth else ''}"
    return f"{who}#{relation}" if relation else who


def change_for(status: str, previous_status: str | None, held: set[str], on_roll: bool = False) -> str | None:
    """The change a row reports for an open archive holding the categories `held` (and, `on_roll`, a current
    ROLL_WELFARE coverage), or None: only a status that is new since the source's previous list (or the first
    list) and not already reflected in the archive."""
    kind = CHANGE_OF_STATUS.get(status)
    if kind is None or previous_status == status:
        return None
    if HELD_AS.get(kind) in held:
        return None
    if kind == "parent_returned" and not (held & set(LEFT_BEHIND)):
        return None
    if kind == "welfare_started" and on_roll:
        return None
    return kind


def change_when_gone(previous_status: str, on_roll: bool) -> str | None:
    """The change a person's absence from the source's new list reports (the status the previous list gave them),
    or None: off the welfare roll, for an open archive that records a current ROLL_WELFARE coverage."""
    kind = CHANGE_WHEN_GONE.get(previous_status)
    if kind == "welfare_ended" and not on_roll:
        return None
    return kind


def silent_since(
    last_received: datetime.date | None, created: datetime.date, every_days: int | None
) -> datetime.date | None:
    """The day a scheduled source fell silent (its next list was due and none came), or None if not scheduled.
    With no submission yet, the period runs from the source's creation."""
    if not every_days:
        return None
    return (last_received or created) + datetime.timedelta(days=every_days)


def is_silent(today: datetime.date, last_received: datetime.date | None, created: datetime.date, every_days) -> bool:
    due = silent_since(last_received, created, every_days)
    return due is not None and today > due
