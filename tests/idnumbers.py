"""Resident ID numbers for tests, made without children.idnumber: a test whose numbers came from the code under test
could not notice that code going wrong (a wrong check-digit table once passed the whole suite).

The check character follows GB 11643-1999 through ISO 7064 MOD 11-2 in its recursive form (no weights table, so
nothing here is a copy of the project's table): for each of the 17 digits, p = (p + digit) * 2 mod 11; the check
value c satisfies (p + c) mod 11 == 1, and a value of 10 is written X.
"""

import datetime

# One independently known valid number for each of the eleven check values (0-9, X), typed in: worked out with the
# recursive form above and checked against the weighted sum of the standard (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
# 4 2, remainder 0-10 -> 1 0 X 9 8 7 6 5 4 3 2). Region 370283 (平度市), children born 2010-2020 (one on 29 February).
KNOWN_VALID = {
    "0": "370283201602290110",
    "1": "370283201303040111",
    "2": "370283201011300292",
    "3": "370283201201150133",
    "4": "370283201407190114",
    "5": "370283201506010115",
    "6": "370283201812310116",
    "7": "370283201710080137",
    "8": "370283201109090158",
    "9": "370283201905200119",
    "X": "37028320200808049X",
}
# The examples published with GB 11643-1999 (北京市朝阳区, 广东省汕头市潮阳县).
PUBLISHED = ("11010519491231002X", "440524188001010014")


def check_character(first17: str) -> str:
    p = 0
    for digit in first17:
        p = (p + int(digit)) * 2 % 11
    value = (12 - p) % 11
    return "X" if value == 10 else str(value)


def make(region6: str, birth: datetime.date, sequence: int) -> str:
    """A valid number: region, birth date, a three-digit sequence (odd for a boy, even for a girl), check."""
    first17 = f"{region6}{birth:%Y%m%d}{sequence % 1000:03d}"
    return first17 + check_character(first17)
