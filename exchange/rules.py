"""Pure rules of list submissions (no ORM, no clock: "today" is an argument)."""

import datetime

from children.categories import LEFT_BEHIND, Category

# Row statuses (exchange.models.RowStatus values) and the change each reports for a registered child.
CHANGE_OF_STATUS = {
    "dropped_out": "dropout",
    "parent_detained": "parent_detained",
    "parent_returned": "parent_returned",
    "died": "died",
}
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


def change_for(status: str, previous_status: str | None, held: set[str]) -> str | None:
    """The change a row reports for an open archive holding the categories `held`, or None: only a status that is
    new since the source's previous list (or the first list) and not already reflected in the categories."""
    kind = CHANGE_OF_STATUS.get(status)
    if kind is None or previous_status == status:
        return None
    if kind == "dropout" and Category.DROPOUT in held:
        return None
    if kind == "parent_returned" and not (held & set(LEFT_BEHIND)):
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
