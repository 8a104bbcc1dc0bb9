"""What the dashboards count, defined once. Each definition is a SQL condition over one open child `c`, its
entrusted care `ec` (LEFT JOIN) and its visit schedule `s` (LEFT JOIN); `dashboards/selectors.py` and the
tests use these and nothing else.

Archive completeness (一人一档 complete): an open archive is complete when every section in
`REQUIRED_SECTIONS` is filled. The list follows what an archive must hold (DOMAIN.md §2, 000 #26, 004 §8):
the categories the child is registered for, where the child lives, school or enrolment, a guardian among the
family members, for a left-behind child the entrusted caregiver, and at least one home visit. Problems, care
records and the work log are not required: an archive may rightly have none yet. Change the list here and
every dashboard, test and export follows.

Welfare coverage: the children eligible for a living allowance or support by their category (orphans,
de facto unsupported children and children in key difficulty: 000 #30, 004 §9; policy) and, among them,
those with a welfare coverage record in force today.

Entrusted-care agreements: among left-behind children (rural or urban), those whose entrusted care record
says the agreement is signed (Jiangsu aims at 100%: seed 002).
"""

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from children.categories import CATEGORY_BITS, LEFT_BEHIND, Category, flags_for
from children.models import FamilyMember, WelfareCoverage
from visits import rules
from visits.models import due_sql


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise
    sql: str  # true when the section is filled


LEFT_BEHIND_MASK = flags_for(LEFT_BEHIND)
FAMILY, WELFARE = FamilyMember._meta.db_table, WelfareCoverage._meta.db_table

REQUIRED_SECTIONS: tuple[Section, ...] = (
    Section("categories", _("Categories"), "c.category_flags <> 0"),
    Section("address", _("Address"), "c.address <> ''"),
    Section("enrolment", _("School or enrolment"), "c.enrolment <> ''"),
    Section(
        "guardian",
        _("A guardian among the family members"),
        f"EXISTS (SELECT 1 FROM {FAMILY} f WHERE f.child_id = c.id AND f.is_guardian)",
    ),
    Section(
        "caregiver",
        _("Entrusted caregiver (left-behind children)"),
        f"((c.category_flags & {LEFT_BEHIND_MASK}) = 0 OR ec.id IS NOT NULL)",
    ),
    Section("home_visit", _("At least one home visit"), "s.last_home_on IS NOT NULL"),
)

WELFARE_ELIGIBLE = (
    Category.ORPHAN_SCATTERED,
    Category.ORPHAN_INSTITUTION,
    Category.DE_FACTO_UNSUPPORTED,
    Category.KEY_DIFFICULTY,
)
WELFARE_ELIGIBLE_MASK = flags_for(WELFARE_ELIGIBLE)

# (key, label, SQL condition) for the figures summed per area besides the categories and colours.
LEFT_BEHIND_SQL = f"(c.category_flags & {LEFT_BEHIND_MASK}) <> 0"
SIGNED_SQL = f"{LEFT_BEHIND_SQL} AND ec.agreement_signed"
ELIGIBLE_SQL = f"(c.category_flags & {WELFARE_ELIGIBLE_MASK}) <> 0"
COVERED_SQL = (
    f"{ELIGIBLE_SQL} AND EXISTS (SELECT 1 FROM {WELFARE} w WHERE w.child_id = c.id"
    " AND w.started_on <= %(today)s AND (w.ended_on IS NULL OR w.ended_on >= %(today)s))"
)
COMPLETE_SQL = " AND ".join(f"({s.sql})" for s in REQUIRED_SECTIONS)


def visit_sql(today: datetime.date) -> list[tuple[str, str]]:
    """Visit compliance now, from the stored schedule: a child with a rule is compliant when its last home visit and
    its last contact are within the rule's intervals (a due date not before today); overdue otherwise. The ranges
    are those of visits.rules, as the worklists and reminders use them."""
    ok = rules.within_interval(today)
    return [
        ("with_rule", "s.due_on IS NOT NULL"),
        ("home_ok", due_sql(ok, "s.home_due_on")),
        ("contact_ok", due_sql(ok, "s.contact_due_on")),
        ("compliant", due_sql(ok, "s.due_on")),
        ("overdue", due_sql(rules.overdue(today), "s.due_on")),
    ]


CATEGORY_SQL = {code: f"(c.category_flags & {bit}) <> 0" for code, bit in CATEGORY_BITS.items()}
