"""Reads of the sites, scoped to the user's areas (children.access): the list with each site's duty check, one
site, and the operation rate of an area's sites against its region's target (the dashboard).

The duties checked per site (DOMAIN.md §3): a themed activity at each township workstation every quarter (000 #38),
and a safety-education event in every village every year (000 #37, 001 §16, 003 §13), the latter checked at the
village's children's home. An activity counts for a site when it names the site, or when it was held in the site's
area (activities recorded before sites existed name none).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import PREFIX_LENGTH, Area, AreaLevel, User
from children import access
from oversight.models import Activity, ActivityKind

from . import rules
from .models import OperationTarget, Site, SiteKind, SiteStatus

DUTY_KIND = {SiteKind.WORKSTATION: ActivityKind.WORKSTATION, SiteKind.CHILDREN_HOME: ActivityKind.SAFETY_EDUCATION}
EXPECTED_LEVEL = {SiteKind.WORKSTATION: AreaLevel.TOWNSHIP, SiteKind.CHILDREN_HOME: AreaLevel.VILLAGE}


def sites_for(user: User) -> QuerySet[Site]:
    """The sites in the user's areas (area staff; administrators all of them)."""
    return Site.objects.filter(access.in_areas_q(user, "area__code")).select_related("area__parent")


def get_site_for_user(user: User, pk: int | str) -> Site:
    try:
        return sites_for(user).get(pk=int(pk))
    except (Site.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such site.")) from None


@dataclass
class SiteRow:
    site: Site
    staff_n: int = 0
    openings_n: int = 0  # opening days in the year
    held: set = field(default_factory=set)  # quarters (workstation) or {0} (children's home) with the duty's activity
    missed: list = field(default_factory=list)  # the finished quarters without one; [0] for a year without one


def site_rows(sites: list[Site], year: int, today: datetime.date) -> list[SiteRow]:
    """Each site with its staff now, its opening days in the year and its duty check (three queries)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    rows = {s.pk: SiteRow(s) for s in sites}
    if not rows:
        return []
    ids = list(rows)
    for site_id, n in (
        Site.objects.filter(pk__in=ids, staff__until__isnull=True).values_list("pk").annotate(n=Count("staff"))
    ):
        rows[site_id].staff_n = n
    for site_id, n in (
        Site.objects.filter(pk__in=ids, openings__date__gte=first, openings__date__lte=last)
        .values_list("pk")
        .annotate(n=Count("openings"))
    ):
        rows[site_id].openings_n = n
    by_area = {(s.area_id, s.kind): s.pk for s in sites}
    activities = Activity.objects.filter(
        Q(site_id__in=ids) | Q(area_id__in=[s.area_id for s in sites]),
        kind__in=[DUTY_KIND[k] for k in SiteKind],
        date__gte=first,
        date__lte=last,
    ).values_list("site_id", "area_id", "kind", "date")
    for site_id, area_id, kind, date in activities:
        site_kind = SiteKind.WORKSTATION if kind == ActivityKind.WORKSTATION else SiteKind.CHILDREN_HOME
        target = site_id if site_id in rows else by_area.get((area_id, site_kind))
        if target is None or rows[target].site.kind != site_kind:
            continue
        rows[target].held.add(rules.quarter_of(date) if site_kind == SiteKind.WORKSTATION else 0)
    quarters = rules.finished_quarters(year, today)
    for row in rows.values():
        if row.site.kind == SiteKind.WORKSTATION:
            row.missed = [q for q in quarters if q not in row.held]
        elif year < today.year and 0 not in row.held:
            row.missed = [0]  # the year is over without a safety-education event
    return [rows[s.pk] for s in sites]


# ---------------------------------------------------------------- the operation rate (dashboard)


@dataclass
class RateRow:
    code: str
    name: str
    kind: str
    expected: int  # areas of the kind's level (one site expected in each)
    registered: int
    operating: int
    rate: Decimal | None = None
    target: int | None = None
    meets: bool | None = None


def _targets(codes: list[str], year: int) -> list[tuple[str, int, int]]:
    prefixes = {p for code in codes for p in ancestor_prefixes(code)}
    return list(
        OperationTarget.objects.filter(area__prefix__in=prefixes, year__lte=year).values_list(
            "area__prefix", "year", "percent"
        )
    )


def operation_rates(place: Area, year: int) -> dict:
    """The area's sites per kind (and per area one level down): areas expected to have one, sites registered, in
    operation, the rate and the region's target for the year. Four queries whatever the size of the area."""
    levels = list(AreaLevel)
    below = levels[levels.index(place.level) + 1] if place.level != AreaLevel.VILLAGE else None
    group_len = PREFIX_LENGTH[below] if below else len(place.code)
    expected_rows = (
        Area.objects.filter(code__startswith=place.prefix, level__in=list(EXPECTED_LEVEL.values()))
        .annotate(g=Substr("code", 1, group_len))
        .values_list("g", "level")
        .annotate(n=Count("code"))
    )
    site_rows_ = (
        Site.objects.filter(area__code__startswith=place.prefix)
        .annotate(g=Substr("area_id", 1, group_len))
        .values_list("g", "kind")
        .annotate(n=Count("pk"), operating=Count("pk", filter=Q(status=SiteStatus.OPERATING)))
    )
    expected: dict[tuple[str, str], int] = {}
    for g, level, n in expected_rows:
        kind = next(k for k, lv in EXPECTED_LEVEL.items() if lv == level)
        expected[(g, kind)] = n
    counted: dict[tuple[str, str], tuple[int, int]] = {(g, k): (n, op) for g, k, n, op in site_rows_}
    groups = sorted({g for g, _k in expected} | {g for g, _k in counted})
    names = dict(Area.objects.filter(code__in=groups).values_list("code", "name")) if below else {}
    targets = _targets([place.code], year)
    found = rules.target_for(place.code, year, targets)
    percent = found[1] if found else None

    def row(code: str, name: str, kind: str, exp: int, reg: int, op: int) -> RateRow:
        rate = rules.operation_rate(op, exp)
        return RateRow(code, name, kind, exp, reg, op, rate, percent, rules.meets(rate, percent))

    totals = []
    for kind in SiteKind:
        exp = sum(n for (g, k), n in expected.items() if k == kind)
        reg = sum(c[0] for (g, k), c in counted.items() if k == kind)
        op = sum(c[1] for (g, k), c in counted.items() if k == kind)
        totals.append(row(place.code, place.name, kind, exp, reg, op))
    per_area = []
    if below:
        for g in groups:
            for kind in SiteKind:
                exp = expected.get((g, kind), 0)
                reg, op = counted.get((g, kind), (0, 0))
                if exp or reg:
                    per_area.append(row(g, names.get(g, g), kind, exp, reg, op))
    return {"year": year, "target": percent, "source": found[0] if found else None, "totals": totals, "areas": per_area}
