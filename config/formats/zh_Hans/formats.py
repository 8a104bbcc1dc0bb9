"""Dates in the Chinese order in every language of the app (docs/design.md, "Dates"): 2026-11-29, 2026-11-29 14:30.
A date shown without an explicit format (`{{ day }}`, the admin) follows these; the input formats stay Django's
(2026-11-29, 2026/11/29)."""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
MONTH_DAY_FORMAT = "n月j日"
YEAR_MONTH_FORMAT = "Y年n月"
FIRST_DAY_OF_WEEK = 1  # Monday
