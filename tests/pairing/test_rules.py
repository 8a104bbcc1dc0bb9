import datetime

import pytest

from pairing import rules

D = datetime.date


@pytest.mark.parametrize(
    ("last", "start", "listed"),
    [
        (None, D(2026, 10, 1), True),  # 59 days since the start, never a contact
        (None, D(2026, 10, 30), False),  # exactly 30 days: not *more* than 30
        (None, D(2026, 10, 29), True),  # 31 days
        (D(2026, 10, 30), D(2026, 1, 1), False),  # last contact exactly 30 days ago
        (D(2026, 10, 29), D(2026, 1, 1), True),  # 31 days ago
        (D(2026, 11, 20), D(2026, 1, 1), False),
    ],
)
def test_without_contact_for_more_than_30_days_on_29_november(last, start, listed):
    assert rules.without_contact(last, start, D(2026, 11, 29), 30) is listed


def test_serves_on_covers_both_ends():
    assert rules.serves_on(D(2026, 1, 1), D(2026, 6, 30), D(2026, 6, 30))
    assert rules.serves_on(D(2026, 1, 1), None, D(2030, 1, 1))
    assert not rules.serves_on(D(2026, 1, 1), D(2026, 6, 30), D(2026, 7, 1))
    assert not rules.serves_on(D(2026, 1, 1), None, D(2025, 12, 31))


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("91350100M000100Y43", True),  # published examples of valid codes
        ("911100001000044477", True),
        ("91350100M000100Y44", False),  # wrong check character
        ("91350100M00010OY43", False),  # letter O is not in the alphabet
        ("91350100M000100Y4", False),  # 17 characters
    ],
)
def test_credit_code(code, ok):
    assert rules.credit_code_ok(code) is ok


def test_one_organisation_a_year_is_asked():
    assert rules.missed_fostering(0) and not rules.missed_fostering(1)
