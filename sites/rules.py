"""Pure rules of the sites: holiday dates and the lecture window, reminder days, quarters, the operation rate.
No ORM and no clock: "today" is an argument."""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WINTER, SUMMER = "winter", "summer"


@dataclass(frozen=True)
class Calendar:
    """A region's holiday calendar. The defaults are the system's choice (no seed gives holiday dates): winter
    holidays from 20 January, summer holidays from 10 July; a lecture counts within 30 days before the start;
    reminders from 14 days before it. A region sets its own in sites.HolidayCalendar."""

    winter: tuple[int, int] = (1, 20)
    summer: tuple[int, int] = (7, 10)
    window_days: int = 30
    remind_days: int = 14


DEFAULT_CALENDAR = Calendar()
# In the last days before the start a second, final reminder is sent.
FINAL_REMINDER_DAYS = 3


def _on(year: int, month: int, day: int) -> datetime.date:
    """The date, with a day past the month's end moved to its last day (31 in a 30-day month, 29 February)."""
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def holiday_start(season: str, year: int, cal: Calendar = DEFAULT_CALENDAR) -> datetime.date:
    month, day = cal.winter if season == WINTER else cal.summer
    return _on(year, month, day)


def next_holiday(today: datetime.date, cal: Calendar = DEFAULT_CALENDAR) -> tuple[str, datetime.date]:
    """The first holiday starting on or after today: (season, start)."""
    starts = [(holiday_start(s, y, cal), s) for y in (today.year, today.year + 1) for s in (WINTER, SUMMER)]
    start, season = min((d, s) for d, s in starts if d >= today)
    return season, start


def lecture_window(start: datetime.date, cal: Calendar = DEFAULT_CALENDAR) -> tuple[datetime.date, datetime.date]:
    """The dates (first, last, inclusive) on which a safety lecture counts for the holiday starting on `start`:
    the `window_days` days before it."""
    return start - datetime.timedelta(days=cal.window_days), start - datetime.timedelta(days=1)


def reminder_stage(today: datetime.date, start: datetime.date, cal: Calendar = DEFAULT_CALENDAR) -> str | None:
    """Which reminder is due today for a holiday starting on `start`: "first" from `remind_days` before it,
    "final" in the last `FINAL_REMINDER_DAYS` days, None outside (after the start nothing is reminded)."""
    days_left = (start - today).days
    if days_left <= 0 or days_left > cal.remind_days:
        return None
    return "final" if days_left <= FINAL_REMINDER_DAYS else "first"


def finished_quarters(year: int, today: datetime.date) -> list[int]:
    """The quarters of `year` that are over by `today` (a quarter still running is not a miss)."""
    if year < today.year:
        return [1, 2, 3, 4]
    if year > today.year:
        return []
    return list(range(1, (today.month - 1) // 3 + 1))


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def operation_rate(operating: int, expected: int) -> Decimal | None:
    """Sites in operation as a percentage of the sites expected (one per area), one decimal; None with none
    expected."""
    if expected <= 0:
        return None
    return (Decimal(100 * operating) / Decimal(expected)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def target_for(code: str, year: int, targets: list[tuple[str, int, int]]) -> tuple[str, int] | None:
    """The target of the nearest region above (or of) the area `code` for `year`, from (region prefix, year,
    percent) rows: (region prefix, percent), or None. A region with targets for earlier years only keeps its last
    one (the 2025 target of 100 % still holds in 2026)."""
    best: tuple[int, int, str, int] | None = None
    for prefix, target_year, percent in targets:
        if not code.startswith(prefix) or target_year > year:
            continue
        key = (len(prefix), target_year)
        if best is None or key > best[:2]:
            best = (len(prefix), target_year, prefix, percent)
    return (best[2], best[3]) if best else None


def meets(rate: Decimal | None, percent: int | None) -> bool | None:
    if rate is None or percent is None:
        return None
    return rate >= percent
