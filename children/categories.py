"""The categories a child can hold (DOMAIN.md §2), each with a bit in `Child.category_flags`.

The bits let set-based SQL (visit schedules, dashboards) match "holds any of these categories" with one
integer test on the child row, on SQLite and PostgreSQL alike. Never renumber a bit: stored rows use them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    LEFT_BEHIND_RURAL = "left_behind_rural", _("Rural left-behind child")
    LEFT_BEHIND_URBAN = "left_behind_urban", _("Urban left-behind child")
    ORPHAN_SCATTERED = "orphan_scattered", _("Scattered orphan")
    ORPHAN_INSTITUTION = "orphan_institution", _("Orphan raised in an institution")
    DE_FACTO_UNSUPPORTED = "de_facto_unsupported", _("De facto unsupported child")
    KEY_DIFFICULTY = "key_difficulty", _("Child in key difficulty")
    OTHER_DIFFICULTY = "other_difficulty", _("Other child in difficulty")
    DISABLED = "disabled", _("Disabled")
    SERIOUSLY_ILL = "seriously_ill", _("Seriously ill")
    SINGLE_PARENT = "single_parent", _("Single-parent family")
    DROPOUT = "dropout", _("School dropout")
    VAGRANCY_HISTORY = "vagrancy_history", _("History of vagrancy")
    PSYCH_ABNORMAL = "psych_abnormal", _("Psychological or behavioural abnormality")
    POOR_GUARDIANSHIP = "poor_guardianship", _("Poor, missing or improper guardianship")


CATEGORY_BITS: dict[str, int] = {
    Category.LEFT_BEHIND_RURAL: 1 << 0,
    Category.LEFT_BEHIND_URBAN: 1 << 1,
    Category.ORPHAN_SCATTERED: 1 << 2,
    Category.ORPHAN_INSTITUTION: 1 << 3,
    Category.DE_FACTO_UNSUPPORTED: 1 << 4,
    Category.KEY_DIFFICULTY: 1 << 5,
    Category.OTHER_DIFFICULTY: 1 << 6,
    Category.DISABLED: 1 << 7,
    Category.SERIOUSLY_ILL: 1 << 8,
    Category.SINGLE_PARENT: 1 << 9,
    Category.DROPOUT: 1 << 10,
    Category.VAGRANCY_HISTORY: 1 << 11,
    Category.PSYCH_ABNORMAL: 1 << 12,
    Category.POOR_GUARDIANSHIP: 1 << 13,
}
LEFT_BEHIND = {Category.LEFT_BEHIND_RURAL, Category.LEFT_BEHIND_URBAN}


def flags_for(categories) -> int:
    value = 0
    for code in categories:
        value |= CATEGORY_BITS[code]
    return value


def categories_in(flags: int) -> list[str]:
    return [code for code, bit in CATEGORY_BITS.items() if flags & bit]


# Situations of a child's father or mother, as bits in `Child.parent_flags` (never renumber).
PARENT_SITUATION_BITS: dict[str, int] = {
    "working_away": 1 << 0,
    "severe_disability": 1 << 1,
    "serious_illness": 1 << 2,
    "imprisoned": 1 << 3,
    "compulsory_rehab": 1 << 4,
    "missing": 1 << 5,
    "dead": 1 << 6,
}
PARENT_RELATIONS = ("father", "mother")


def parent_flags_for(situations) -> int:
    value = 0
    for code in situations:
        value |= PARENT_SITUATION_BITS.get(code, 0)
    return value
