"""Reads for the dashboards: a fixed number of aggregate queries per page, whatever the size of the area.

The area is checked once (`area_for`: outside the user's areas is a 404, like every other object); the figures
are then sums over the area's subtree, grouped in SQL by the code prefix of the next level down (cities of a
province, counties of a city, townships of a county, villages of a township) and rolled up in Python, so the
rows always add up to the area's total. What each figure means is defined once in `dashboards/metrics.py`.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Sum
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import LEVEL_ORDER, PREFIX_LENGTH, Area, AreaLevel, Role, User
from children import access
from children.categories import Category
from children.models import ArchiveStatus, Child, Colour, EntrustedCare
from config.cache import computed_once
from config.env import env_int
from guardianship.models import Intervention, Referral, ReferralStatus, Report, ReportStatus
from visits.models import VisitSchedule
from visits.rules import days_overdue
from visits.selectors import schedules_for

from . import metrics
from .models import ComplianceSnapshot

DASHBOARD_ROLES = {Role.SUPERVISOR, Role.CIVIL_AFFAIRS}
OVERDUE_LIST_LEVELS = {AreaLevel.TOWNSHIP, AreaLevel.VILLAGE}
OVERDUE_LIST_SIZE = 20
# How long the note that an area's first computation is done lives in the cache (seconds).
CACHE_SECONDS = env_int("DASHBOARD_CACHE_SECONDS", 1800)
SERIES_MONTHS = 12


def may_use_dashboards(user: User) -> bool:
    return user.is_authenticated and (user.is_administrator or user.role in DASHBOARD_ROLES)


def area_for(user: User, code: str) -> Area:
    """The area if the user may see its dashboard, else 404 (missing and forbidden look the same)."""
    if not may_use_dashboards(user) or not code.isdigit() or not access.in_user_areas(user, code):
        raise Http404(_("No such area."))
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404(_("No such area."))
    return area


def start_areas(user: User) -> list[Area]:
    """Where a user's dashboard starts: the areas they serve (an administrator: the top-level areas)."""
    if user.is_administrator:
        return list(Area.objects.filter(parent__isnull=True).order_by("code"))
    return list(user.areas.order_by("code"))


def figure_columns(today: datetime.date) -> list[tuple[str, str]]:
    """(key, SQL condition) of every per-child figure the dashboards sum, in one place."""
    cols = [("total", "1 = 1")]
    cols += [(colour.value, f"c.colour = '{colour.value}'") for colour in Colour]
    cols += [(f"cat_{code}", sql) for code, sql in metrics.CATEGORY_SQL.items()]
    cols += [
        ("left_behind", metrics.LEFT_BEHIND_SQL),
        ("signed", metrics.SIGNED_SQL),
        ("eligible", metrics.ELIGIBLE_SQL),
        ("covered", metrics.COVERED_SQL),
        ("complete", metrics.COMPLETE_SQL),
    ]
    cols += [(f"missing_{s.key}", f"NOT ({s.sql})") for s in metrics.REQUIRED_SECTIONS]
    cols += metrics.visit_sql(today)
    literal = f"'{today.isoformat()}'"  # a date's ISO form: digits and dashes only
    return [(key, sql.replace("%(today)s", literal)) for key, sql in cols]


CASEWORK_KEYS = ("reports", "referrals", "interventions")
# The tables and statuses the hand-written SQL below reads, from the models.
CHILD, CARE, SCHEDULE = Child._meta.db_table, EntrustedCare._meta.db_table, VisitSchedule._meta.db_table
REPORT, REFERRAL, INTERVENTION = Report._meta.db_table, Referral._meta.db_table, Intervention._meta.db_table
OPEN, REPORT_CLOSED = f"'{ArchiveStatus.OPEN.value}'", f"'{ReportStatus.CLOSED.value}'"
REFERRAL_ENDED = ", ".join(f"'{s.value}'" for s in (ReferralStatus.DONE, ReferralStatus.DECLINED))


def children_sql(group_len: int, today: datetime.date, where: str = "c.village_id LIKE %s") -> tuple[str, list[str]]:
    """The per-child figures of open archives summed by the first `group_len` digits of the village code, over the
    children `where` selects (a condition on `c`, with its own placeholders), and the figures' keys in order."""
    cols = figure_columns(today)
    sums = ",\n       ".join(f"SUM(CASE WHEN {sql} THEN 1 ELSE 0 END) AS {key}" for key, sql in cols)
    sql = f"""
SELECT substr(c.village_id, 1, {int(group_len)}) AS k,
       {sums}
  FROM {CHILD} c
  LEFT JOIN {CARE} ec ON ec.child_id = c.id
  LEFT JOIN {SCHEDULE} s ON s.child_id = c.id
 WHERE c.status = {OPEN} AND {where}
 GROUP BY substr(c.village_id, 1, {int(group_len)})
"""
    return sql, [key for key, _sql in cols]


def _casework_sql(group_len: int) -> str:
    n = int(group_len)
    return f"""
SELECT 'reports', substr(r.area_id, 1, {n}), COUNT(*) FROM {REPORT} r
 WHERE r.status <> {REPORT_CLOSED} AND r.area_id LIKE %s GROUP BY substr(r.area_id, 1, {n})
UNION ALL
SELECT 'referrals', substr(c.village_id, 1, {n}), COUNT(*) FROM {REFERRAL} x
  JOIN {CHILD} c ON c.id = x.child_id
 WHERE x.status NOT IN ({REFERRAL_ENDED}) AND c.village_id LIKE %s GROUP BY substr(c.village_id, 1, {n})
UNION ALL
SELECT 'interventions', substr(c.village_id, 1, {n}), COUNT(*) FROM {INTERVENTION} i
  JOIN {CHILD} c ON c.id = i.child_id
 WHERE i.active AND c.village_id LIKE %s GROUP BY substr(c.village_id, 1, {n})
"""


def figure_keys(today: datetime.date) -> list[str]:
    return [key for key, _sql in figure_columns(today)] + list(CASEWORK_KEYS)


def group_length(area: Area) -> int:
    """Digits of the village code that name the sub-area one level down (a village groups by itself)."""
    below = next_level(area.level)
    return PREFIX_LENGTH[AreaLevel(below)] if below else PREFIX_LENGTH[AreaLevel.VILLAGE]


def compute_figures(area: Area, today: datetime.date) -> dict[str, dict[str, int]]:
    """The figures of each sub-area (keyed by its code prefix), live from the archives: what the stored village
    figures summed up the tree must equal (the tests' and bench's reference)."""
    from . import figures as village_figures

    group_len = group_length(area)
    with transaction.atomic():
        live = village_figures.compute(today, "c.village_id LIKE %s", [area.prefix + "%"], group_len)
    return _with_casework(live, area, group_len, today)


def _bootstrap_key(area: Area, today: datetime.date) -> str:
    return f"dashboards:bootstrap:v1:{area.code}:{today.isoformat()}"


def _casework(area: Area, group_len: int) -> list[tuple[str, str, int]]:
    """Open reports, referrals and interventions by sub-area: small tables, counted live."""
    pattern = area.prefix + "%"
    with connection.cursor() as cursor:
        cursor.execute(_casework_sql(group_len), [pattern, pattern, pattern])
        return cursor.fetchall()


def area_figures(
    area: Area, today: datetime.date, *, refresh: bool = False
) -> tuple[dict[str, dict[str, int]], datetime.datetime | None]:
    """The sub-areas' figures and when the oldest of them was computed.

    The per-child figures are the stored per-village rows (`dashboards.figures`) summed up the tree, so a
    province costs one indexed range read of its villages' rows, not an aggregate over its archives. Villages a
    write marked stale are recomputed first when they are few (else the beat task does it within minutes); an area
    with no stored village (never computed, or no open archive) computes its villages once however many pages ask at
    the same moment, and not again for `CACHE_SECONDS` (`config.cache.computed_once`). `refresh` recomputes the
    area's villages now."""
    from . import figures as village_figures

    group_len = group_length(area)
    if refresh:
        village_figures.refresh(today=today, prefix=area.prefix)
    else:
        village_figures.refresh_stale(today=today, prefix=area.prefix, limit=village_figures.STALE_INLINE_LIMIT)
    by_key, oldest, stored = village_figures.sums(area.prefix, group_len)
    if not stored:
        computed_once(
            _bootstrap_key(area, today),
            lambda: village_figures.refresh(today=today, prefix=area.prefix),
            timeout=CACHE_SECONDS,
        )
        by_key, oldest, stored = village_figures.sums(area.prefix, group_len)
    return _with_casework(by_key, area, group_len, today), oldest


def _with_casework(
    by_key: dict[str, dict[str, int]], area: Area, group_len: int, today: datetime.date
) -> dict[str, dict[str, int]]:
    """Every figure of each sub-area (zeros filled in), with the open casework counted live."""
    keys = figure_keys(today)
    out = {k: {**dict.fromkeys(keys, 0), **v} for k, v in by_key.items()}
    for kind, key, count in _casework(area, group_len):
        out.setdefault(key, dict.fromkeys(keys, 0))[kind] += int(count)
    return out


def next_level(level: str) -> str | None:
    i = LEVEL_ORDER.index(AreaLevel(level))
    return LEVEL_ORDER[i + 1] if i + 1 < len(LEVEL_ORDER) else None


@dataclass
class Row:
    """One line of the drill-down: a sub-area (or, at a village, the village itself)."""

    code: str
    name: str
    figures: dict[str, int]
    drill: bool = False  # has a dashboard of its own below


@dataclass
class MonthPoint:
    month: datetime.date
    children: int
    with_rule: int
    home_ok: int
    contact_ok: int
    compliant: int
    current: bool = False  # the live figure of today, not a stored month-end snapshot

    @property
    def rate(self) -> float | None:
        return rate(self.compliant, self.with_rule)


@dataclass
class Dashboard:
    area: Area
    today: datetime.date
    rows: list[Row]
    total: dict[str, int]
    breadcrumbs: list[Area]
    series: list[MonthPoint]
    overdue: list = field(default_factory=list)
    show_overdue: bool = False
    computed_at: datetime.datetime | None = None  # when the oldest of the stored village figures was computed


def rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def month_starts(today: datetime.date, n: int = SERIES_MONTHS) -> list[datetime.date]:
    """The first days of the `n` full months before today's month, oldest first."""
    out = []
    y, m = today.year, today.month
    for _i in range(n):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        out.append(datetime.date(y, m, 1))
    return out[::-1]


def dashboard(user: User, area: Area, today: datetime.date) -> Dashboard:
    """Everything one dashboard page shows (the caller has checked the area with `area_for`)."""
    below = next_level(area.level)
    subs = list(Area.objects.filter(parent=area).order_by("code").values_list("code", "name", "prefix"))
    if below is None:
        subs = [(area.code, area.name, area.prefix)]

    by_key, computed_at = area_figures(area, today)
    keys = figure_keys(today)

    rows = []
    known = set()
    for code, name, prefix in subs:
        known.add(prefix)
        figures = by_key.get(prefix) or dict.fromkeys(keys, 0)
        rows.append(Row(code=code, name=name, figures=figures, drill=below is not None))
    stray = [k for k in by_key if k not in known]
    if stray:  # records under a code no sub-area has (e.g. a report filed at township level): kept in the sums
        merged = dict.fromkeys(keys, 0)
        for k in stray:
            for key, value in by_key[k].items():
                merged[key] += value
        rows.append(Row(code="", name=_("Not under a sub-area"), figures=merged))

    total = dict.fromkeys(keys, 0)
    for row in rows:
        for key, value in row.figures.items():
            total[key] += value

    crumbs = [
        a
        for a in Area.objects.filter(prefix__in=ancestor_prefixes(area.code)).order_by("prefix")
        if a.code != area.code and a.contains(area.code) and access.in_user_areas(user, a.code)
    ]

    months = month_starts(today)
    stored = {
        r["month"]: r
        for r in ComplianceSnapshot.objects.filter(village__code__startswith=area.prefix, month__gte=months[0])
        .values("month")
        .annotate(
            children=Sum("children"),
            with_rule=Sum("with_rule"),
            home_ok=Sum("home_ok"),
            contact_ok=Sum("contact_ok"),
            compliant=Sum("compliant"),
        )
        .order_by("month")
    }
    series = []
    for month in months:
        r = stored.get(month)
        if r:
            series.append(
                MonthPoint(month, r["children"], r["with_rule"], r["home_ok"], r["contact_ok"], r["compliant"])
            )
    series.append(
        MonthPoint(
            today, total["total"], total["with_rule"], total["home_ok"], total["contact_ok"], total["compliant"], True
        )
    )

    show_overdue = AreaLevel(area.level) in OVERDUE_LIST_LEVELS
    overdue = []
    if show_overdue:
        overdue = list(
            schedules_for(user)
            .overdue(today)
            .filter(village__code__startswith=area.prefix)
            .select_related("child", "village")
            .order_by("due_on", "child_id")[:OVERDUE_LIST_SIZE]
        )
        for s in overdue:
            s.days_overdue = days_overdue(s.due_on, today)

    return Dashboard(
        area=area,
        today=today,
        rows=rows,
        total=total,
        breadcrumbs=crumbs,
        series=series,
        overdue=overdue,
        show_overdue=show_overdue,
        computed_at=computed_at,
    )


CATEGORY_LABELS = dict(Category.choices)
