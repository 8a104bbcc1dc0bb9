"""Task-matrix policy with no ORM and no clock: periods of recurring tasks and report due dates."""

import datetime
from dataclasses import dataclass

REMIND_DAYS_BEFORE = (14, 3)  # yearly progress report reminders


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def key(self) -> str:
        return self.start.isoformat()


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def periods(recurrence: str, start_year: int, end_year: int, today: datetime.date) -> list[Period]:
    """The periods of a recurring task from the plan's first year up to the one containing `today` (or the plan's
    end, whichever is earlier)."""
    last_day = min(datetime.date(end_year, 12, 31), today)
    out: list[Period] = []
    step = {"yearly": 12, "quarterly": 3, "monthly": 1}.get(recurrence)
    if not step:
        return out
    year, month = start_year, 1
    while datetime.date(year, month, 1) <= last_day:
        end_month = month + step - 1
        out.append(Period(datetime.date(year, month, 1), _month_end(year, end_month)))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return out


def period_status(period: Period, records: int, min_count: int | None, today: datetime.date) -> str:
    """done: enough records; missed: the period ended without enough; open: still running."""
    needed = min_count or 1
    if records >= needed:
        return "done"
    return "missed" if period.end < today else "open"


def report_due(deadline_mmdd: str, year: int) -> datetime.date | None:
    if not deadline_mmdd:
        return None
    month, day = (int(x) for x in deadline_mmdd.split("-"))
    return datetime.date(year, month, day)
