"""Resident ID numbers (居民身份证号码) under GB 11643-1999: normalise, validate, mask.

Pure functions, no ORM. The 18th character is an ISO 7064 MOD 11-2 check digit; characters 7-14 are the
birth date and the 17th is odd for men and even for women.
"""

import datetime
import re
from dataclasses import dataclass
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .halfwidth import half_width

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SPACES = re.compile(r"[\s\u3000]+")
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"


def normalise(raw: str) -> str:
    """Full-width digits to ASCII, a lowercase x to X, spaces anywhere removed."""
    return _SPACES.sub("", half_width(raw or "")).upper()


def check_digit(first17: str) -> str:
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def parse(raw: str, *, today: datetime.date | None = None) -> IdNumberInfo:
    """Validate and return the normalised number with its birth date and sex; raise ValidationError."""
    number = normalise(raw)
    if not number:
        raise ValidationError(_("Enter the ID number."), code="required")
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise ValidationError(
            _("This is an old 15-digit ID number. Enter the child's current 18-digit ID number."), code="legacy"
        )
    if not _SHAPE.match(number):
        raise ValidationError(_("An ID number has 18 characters: 17 digits followed by a digit or X."), code="shape")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date in this ID number (%(digits)s) is not a real date.") % {"digits": number[6:14]},
            code="date",
        ) from None
    if birth.year < 1900 or (today is not None and birth > today):
        raise ValidationError(
            _("The birth date in this ID number (%(digits)s) is impossible.") % {"digits": number[6:14]},
            code="date",
        )
    if check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of this ID number does not match its check digit; please check the number."),
            code="checksum",
        )
    return IdNumberInfo(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def mask(number: str) -> str:
    """370202********123X: region and last four kept."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(value: str) -> str:
    """138****8000: the first three and last four digits, for roles that see masked ID numbers too."""
    value = value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def make(region6: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (demo data and tests)."""
    first17 = f"{region6}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_digit(first17)
