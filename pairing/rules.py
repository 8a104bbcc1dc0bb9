"""Pure rules of pairing and organisations: no ORM, no clock ("today" is an argument)."""

import datetime

# 000 #52: 区（市）民政部门每年至少培育和发展1家儿童福利领域社会组织.
ORGANISATIONS_FOSTERED_PER_YEAR = 1

# 统一社会信用代码 (GB 32100-2015): 18 characters from this alphabet (no I, O, Z, S, V).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def quiet_cutoff(today: datetime.date, days: int) -> datetime.date:
    """A current pairing whose latest contact (or, with none yet, its start) is before this day has had no contact
    for more than `days` days: the no-contact list filters `last_contact_on < cutoff` (pairing.selectors)."""
    return today - datetime.timedelta(days=days)


def without_contact(
    last_contact_on: datetime.date | None, from_on: datetime.date, today: datetime.date, days: int
) -> bool:
    """No contact for more than `days` days (counted from the pairing's start while there is none)."""
    return (last_contact_on or from_on) < quiet_cutoff(today, days)


def serves_on(from_on: datetime.date, to_on: datetime.date | None, day: datetime.date) -> bool:
    """A helper or an organisation serves on `day` when its period covers it."""
    return from_on <= day and (to_on is None or day <= to_on)


def credit_code_ok(code: str) -> bool:
    """The form and the check character of a unified social credit code (GB 32100-2015)."""
    if len(code) != 18 or any(c not in CREDIT_CODE_ALPHABET for c in code):
        return False
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(code[:17], CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31] == code[17]


def missed_fostering(fostered_this_year: int) -> bool:
    """A county that fostered fewer child-welfare organisations this year than 000 #52 asks."""
    return fostered_this_year < ORGANISATIONS_FOSTERED_PER_YEAR
