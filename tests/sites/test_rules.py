import datetime
from decimal import Decimal

from sites import rules

D = datetime.date
CAL = rules.Calendar(winter=(1, 31), summer=(7, 5), window_days=10, remind_days=7)


def test_holiday_start_moves_a_missing_day_to_the_months_end():
    assert rules.holiday_start("winter", 2027, rules.Calendar(winter=(2, 30))) == D(2027, 2, 28)
    assert rules.holiday_start("summer", 2027, CAL) == D(2027, 7, 5)


def test_next_holiday_is_the_first_start_on_or_after_today():
    assert rules.next_holiday(D(2026, 11, 29), CAL) == ("winter", D(2027, 1, 31))
    assert rules.next_holiday(D(2027, 1, 31), CAL) == ("winter", D(2027, 1, 31))
    assert rules.next_holiday(D(2027, 2, 1), CAL) == ("summer", D(2027, 7, 5))
    assert rules.next_holiday(D(2027, 7, 6), CAL) == ("winter", D(2028, 1, 31))


def test_the_lecture_window_is_the_days_before_the_start():
    assert rules.lecture_window(D(2027, 1, 31), CAL) == (D(2027, 1, 21), D(2027, 1, 30))


def test_reminders_run_from_remind_days_before_and_end_at_the_start():
    start = D(2027, 1, 31)
    assert rules.reminder_stage(D(2027, 1, 23), start, CAL) is None  # 8 days before
    assert rules.reminder_stage(D(2027, 1, 24), start, CAL) == "first"  # 7 days
    assert rules.reminder_stage(D(2027, 1, 27), start, CAL) == "first"  # 4 days
    assert rules.reminder_stage(D(2027, 1, 28), start, CAL) == "final"  # 3 days
    assert rules.reminder_stage(D(2027, 1, 30), start, CAL) == "final"
    assert rules.reminder_stage(start, start, CAL) is None


def test_finished_quarters():
    assert rules.finished_quarters(2026, D(2026, 11, 29)) == [1, 2, 3]
    assert rules.finished_quarters(2026, D(2026, 3, 31)) == []
    assert rules.finished_quarters(2025, D(2026, 1, 1)) == [1, 2, 3, 4]
    assert rules.finished_quarters(2027, D(2026, 1, 1)) == []


def test_operation_rate_rounds_to_one_decimal_and_needs_a_denominator():
    assert rules.operation_rate(1, 3) == Decimal("33.3")
    assert rules.operation_rate(2, 3) == Decimal("66.7")
    assert rules.operation_rate(3, 3) == Decimal("100.0")
    assert rules.operation_rate(0, 0) is None


def test_the_nearest_regions_latest_target_up_to_the_year_applies():
    targets = [("33", 2024, 50), ("330903", 2024, 90), ("330903", 2025, 100), ("330903", 2027, 95)]
    assert rules.target_for("330903101", 2024, targets) == ("330903", 90)
    assert rules.target_for("330903101", 2026, targets) == ("330903", 100)  # 2025's still holds
    assert rules.target_for("330902", 2026, targets) == ("33", 50)
    assert rules.target_for("330903", 2023, targets) is None
    assert rules.meets(Decimal("90.0"), 90) is True
    assert rules.meets(Decimal("89.9"), 90) is False
    assert rules.meets(None, 90) is None
