"""Archive policy, with no ORM and no clock: "today" is always an argument.

Two rules live here, each the only statement of itself:

- Age. The archive is for children: at 18 (ADULT_AGE) an archive closes by itself and none can be registered;
  a region's left-behind categories end at its age limit (`Region.left_behind_max_age`, 16 by national policy).
- Identification (精准识别, 000 #28; 动态管理). The facts recorded outside the category ticks (the child's health and
  disability, the parents' situations) imply categories; where they and the categories held disagree, the archive
  proposes adding or ending a category, for the director or the county to confirm or dismiss. The definitions come
  from national policy as DOMAIN.md §2 states it (marked "policy, not in seeds"); the visit rules they feed are
  000 #27, 003 §8 and 004 §8.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .categories import LEFT_BEHIND, Category

ADULT_AGE = 18  # 《未成年人保护法》: a minor is under 18 (policy, not in seeds)
TURNING_18_NOTICE_DAYS = 7  # the director is told this many days before an archive closes at 18 (the system's choice)
LEFT_BEHIND_MAX_AGE = 16  # 国发〔2016〕13号: 不满十六周岁 (policy, not in seeds); the default of a region's own limit
LEFT_BEHIND_MONTHS_AWAY = 3  # 003 §8: 父母外出务工时间一般要连续 3 个月以上


# ------------------------------------------------------------------------------------------------------------ age
def age_on(birth: datetime.date, today: datetime.date) -> int:
    """Completed years. Someone born on 29 February has a birthday on 1 March in other years."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def birthday(birth: datetime.date, years: int) -> datetime.date:
    """The day someone turns `years` old (29 February → 1 March when that year has none)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return datetime.date(birth.year + years, 3, 1)


def born_by(today: datetime.date, years: int) -> datetime.date:
    """The latest birth date of someone at least `years` old today: `birth_date <= born_by(today, n)` selects them
    in SQL, in agreement with `age_on` (a test holds the two together)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February: 18 years ago had none; who was born on the 28th is 18 today
        return datetime.date(today.year - years, 2, 28)


def is_adult(birth: datetime.date, today: datetime.date) -> bool:
    return age_on(birth, today) >= ADULT_AGE


def adult_refusal() -> str:
    """Why registration and the import refuse someone `is_adult` (in the user's language)."""
    return _("This person is %(age)s or older: the archive is for children.") % {"age": ADULT_AGE}


def closes_on(birth: datetime.date) -> datetime.date:
    """The day an archive closes by itself: the 18th birthday."""
    return birthday(birth, ADULT_AGE)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later or (negative) earlier; the month's last day where it is shorter."""
    import calendar

    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------------------------------------- identification
@dataclass(frozen=True)
class Region:
    """A region's identification rules (children.IdentificationRules; the nearest to the child's village)."""

    left_behind_max_age: int = LEFT_BEHIND_MAX_AGE
    left_behind_months_away: int = LEFT_BEHIND_MONTHS_AWAY


@dataclass(frozen=True)
class Parent:
    relation: str  # "father" / "mother"
    situation: str  # children.models.ParentSituation
    away_since: datetime.date | None = None


@dataclass(frozen=True)
class Facts:
    birth_date: datetime.date
    health: str = "healthy"
    disability: str = ""
    disability_grade: int | None = None
    parents: tuple[Parent, ...] = ()


class Action:
    ADD = "add"
    END = "end"


@dataclass(frozen=True)
class Proposal:
    category: str
    action: str
    facts: tuple[str, ...] = field(default_factory=tuple)  # fact codes (fact_label), in a stable order

    @property
    def facts_text(self) -> str:
        return ",".join(self.facts)


# A parent who cannot raise the child (民发〔2019〕62号, 事实无人抚养儿童: 重残、重病、服刑在押、强制隔离戒毒、失联)
INCAPABLE = ("severe_disability", "serious_illness", "imprisoned", "compulsory_rehab", "missing")
# A parent absent for good or out of reach (the other condition of 62号: 一方死亡或失踪)
ABSENT = ("dead", "missing")

FACT_LABELS = {
    "child:disability": _("the child's disability is recorded in health"),
    "child:seriously_ill": _("the child is recorded as seriously ill"),
    "father:dead": _("father dead"),
    "mother:dead": _("mother dead"),
    "father:working_away": _("father working away long enough"),
    "mother:working_away": _("mother working away long enough"),
    "father:normal": _("father recorded at home"),
    "mother:normal": _("mother recorded at home"),
    "screen:psych_positive": _("a positive psychological screen (psychological record)"),
    **{f"father:{s}": _("father: %(situation)s") for s in INCAPABLE},
    **{f"mother:{s}": _("mother: %(situation)s") for s in INCAPABLE},
}


def _situations(facts: Facts, relation: str, today: datetime.date, region: Region) -> set[str]:
    """A parent's situations as recorded ("working_away" only when away at least the region's months; a parent
    working away with no start date recorded counts: the director confirms or dismisses)."""
    cutoff = add_months(today, -region.left_behind_months_away)
    out = set()
    for p in facts.parents:
        if p.relation != relation:
            continue
        if p.situation == "working_away" and p.away_since is not None and p.away_since > cutoff:
            out.add("working_away_recently")
        else:
            out.add(p.situation)
    return out


def _has(situations: set[str], wanted: Iterable[str]) -> list[str]:
    return [s for s in wanted if s in situations]


def implied(facts: Facts, today: datetime.date, region: Region = Region()) -> dict[str, tuple[str, ...]]:
    """The categories the recorded facts imply, each with the facts (codes) that imply it."""
    out: dict[str, tuple[str, ...]] = {}
    if facts.disability or facts.disability_grade:
        out[Category.DISABLED] = ("child:disability",)  # 000 #27 儿童自身存在身体或智力残疾 (any grade)
    if facts.health == "seriously_ill":
        out[Category.SERIOUSLY_ILL] = ("child:seriously_ill",)  # 000 #27 重病
    f = _situations(facts, "father", today, region)
    m = _situations(facts, "mother", today, region)
    f_dead, m_dead = "dead" in f, "dead" in m
    f_inc, m_inc = _has(f, INCAPABLE), _has(m, INCAPABLE)
    if f_dead and m_dead:
        out[Category.ORPHAN_SCATTERED] = ("father:dead", "mother:dead")  # (policy, not in seeds)
        return out
    # 事实无人抚养儿童 (policy, not in seeds): both parents incapable, or one incapable and the other dead or missing.
    if (f_inc and m_inc) or (f_inc and m_dead) or (f_dead and m_inc):
        codes = [f"father:{s}" for s in f_inc] + (["father:dead"] if f_dead else [])
        codes += [f"mother:{s}" for s in m_inc] + (["mother:dead"] if m_dead else [])
        out[Category.DE_FACTO_UNSUPPORTED] = tuple(codes)
        return out
    # 留守儿童 (国发〔2016〕13号, policy, not in seeds; the months: 003 §8): under the region's age, both parents
    # working away, or one away and the other unable to raise the child.
    if age_on(facts.birth_date, today) < region.left_behind_max_age:
        f_away, m_away = "working_away" in f, "working_away" in m
        if (f_away and (m_away or m_inc or m_dead)) or (m_away and (f_inc or f_dead)):
            codes = (
                ["father:working_away"]
                if f_away
                else [f"father:{s}" for s in f_inc] + (["father:dead"] if f_dead else [])
            )
            codes += (
                ["mother:working_away"]
                if m_away
                else [f"mother:{s}" for s in m_inc] + (["mother:dead"] if m_dead else [])
            )
            out[Category.LEFT_BEHIND_RURAL] = tuple(codes)
    return out


def proposals(facts: Facts, held: Iterable[str], today: datetime.date, region: Region = Region()) -> list[Proposal]:
    """Where the facts and the categories held disagree: categories to add, and the left-behind category to end
    when a parent is recorded back home and the facts no longer make the child left-behind (动态管理).

    A category already held (or its sibling: either orphan category, either left-behind one) is not proposed.
    Nothing is proposed for ending from missing facts: only a parent recorded at home is evidence."""
    held = set(held)
    out = []
    found = implied(facts, today, region)
    for category, codes in found.items():
        siblings = {
            Category.LEFT_BEHIND_RURAL: LEFT_BEHIND,
            Category.ORPHAN_SCATTERED: {Category.ORPHAN_SCATTERED, Category.ORPHAN_INSTITUTION},
            Category.DE_FACTO_UNSUPPORTED: {
                Category.DE_FACTO_UNSUPPORTED,
                Category.ORPHAN_SCATTERED,
                Category.ORPHAN_INSTITUTION,
            },
        }.get(category, {category})
        if not held & set(siblings):
            out.append(Proposal(category, Action.ADD, codes))
    home = [p.relation for p in facts.parents if p.situation == "normal"]
    if Category.LEFT_BEHIND_RURAL not in found and home:
        codes = tuple(f"{r}:normal" for r in dict.fromkeys(home))
        for category in sorted(held & LEFT_BEHIND):
            out.append(Proposal(category, Action.END, codes))
    return out


# What a reader without the need to know reads instead of a fact kept for those who need to know (the psychological
# record's: psychology.access.NEED_TO_KNOW_FACTS).
NEUTRAL_FACT_LABEL = _("another record of the archive")


def fact_label(code: str) -> str:
    """What a fact code says, for the page."""
    from .models import ParentSituation

    label = FACT_LABELS.get(code)
    if label is None:
        return code
    situation = code.split(":", 1)[1]
    return str(label) % {"situation": ParentSituation(situation).label} if "%(" in str(label) else str(label)
