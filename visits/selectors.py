"""Reads for visit pages, scoped through children.access, each a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db import connection, connections
from django.db.models import QuerySet

from accounts.models import PREFIX_LENGTH, Area, AreaLevel, Role, User
from children import access
from children.models import Child
from config import replicas

from . import rules
from .models import (
    CategoryEndProposal,
    ScreeningCampaign,
    ScreeningConfirmation,
    Visit,
    VisitRule,
    VisitSchedule,
    VisitScheduleQuerySet,
)


def _home_kinds() -> str:
    return ", ".join(f"'{kind}'" for kind in rules.HOME_KINDS)


def schedules_for(user: User) -> VisitScheduleQuerySet:
    """Schedules carry the village code, so the access rule applies to them without joining the children."""
    return access.scope(user, VisitSchedule.objects.all(), village_field="village__code", child_field="child_id")


def worklist_for(user: User, today: datetime.date) -> VisitScheduleQuerySet:
    """本周待访: due within 7 days or overdue, the most overdue first."""
    return schedules_for(user).to_visit(today).select_related("child", "village").order_by("due_on", "child_id")


def overdue_for(user: User, today: datetime.date, *, min_days: int = 1, village: str = "") -> VisitScheduleQuerySet:
    qs = schedules_for(user).overdue(today, min_days)
    if village:
        qs = qs.filter(village_id=village)
    return qs.select_related("child", "village__parent").order_by("village_id", "due_on", "child_id")


def directors_of(village_codes) -> dict[str, list[str]]:
    """Names of the directors serving each village (one query)."""
    out: dict[str, list[str]] = {}
    rows = User.areas.through.objects.filter(
        area_id__in=list(village_codes), user__role=Role.DIRECTOR, user__is_active=True
    ).select_related("user")
    for row in rows:
        out.setdefault(row.area_id, []).append(str(row.user))
    return out


def annotate_status(rows, today: datetime.date) -> list:
    for row in rows:
        row.status, row.days_overdue = rules.status_for(row.due_on, today)
        row.days_left = (row.due_on - today).days if row.due_on else None
    return rows


@dataclass
class ChildVisits:
    schedule: VisitSchedule | None
    status: str
    days_overdue: int
    rules: list
    visits: list
    more: bool = False  # older visits exist beyond `visits` (the full list is on its own page)
    home_rule: VisitRule | None = None  # the rule that sets the home-visit interval (rules.deciding)
    contact_rule: VisitRule | None = None  # the rule that sets the contact interval

    @property
    def status_label(self) -> str:
        return str(rules.Status(self.status).label)


def child_visits(child: Child, today: datetime.date, limit: int = 10) -> ChildVisits:
    """The child's visit status, the rules behind it and the `limit` latest visits, for the archive page."""
    try:
        sched = child.schedule  # select_related by the archive view; else one query
    except VisitSchedule.DoesNotExist:
        sched = None
    applied = []
    if sched and sched.rule_ids:
        ids = [int(i) for i in sched.rule_ids.split(",") if i]
        applied = list(VisitRule.objects.filter(pk__in=ids).select_related("rule_set").order_by("pk"))
    status, days = rules.status_for(sched.due_on if sched else None, today)
    visits = list(all_child_visits(child)[: limit + 1])
    home_rule, contact_rule = rules.deciding(applied)
    return ChildVisits(
        schedule=sched,
        status=status,
        days_overdue=days,
        rules=applied,
        visits=visits[:limit],
        more=len(visits) > limit,
        home_rule=home_rule,
        contact_rule=contact_rule,
    )


def all_child_visits(child: Child) -> QuerySet[Visit]:
    """Every visit of a child, newest first, for its paged visit list (`child` as children.access gave it)."""
    return Visit.objects.filter(child=child).select_related("created_by", "no_report_by")


_DAYS_BETWEEN = {
    "postgresql": "(d - prev_d)",
    "sqlite": "CAST(julianday(d) - julianday(prev_d) AS INTEGER)",
}


def quarter_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar quarter before today."""
    q_start_month = 3 * ((today.month - 1) // 3) + 1
    this_q = datetime.date(today.year, q_start_month, 1)
    end = this_q - datetime.timedelta(days=1)
    start = datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def compliance_by_township(user: User, start: datetime.date, end: datetime.date) -> list[dict]:
    """On-time home-visit rate per township over [start, end]: a child is on time when, on every day of the
    period, its last home visit (or its registration) was no older than its rule's interval. One query."""
    children = access.visible_children(user).filter(status="open", registered_on__lte=end).values("pk")
    child_sql, child_params = children.query.sql_with_params()
    sql = f"""
    WITH kids AS (
        SELECT s.child_id, s.village_id, s.home_days, c.registered_on
          FROM {VisitSchedule._meta.db_table} s JOIN {Child._meta.db_table} c ON c.id = s.child_id
         WHERE s.home_days IS NOT NULL AND s.child_id IN ({child_sql})
    ),
    pts AS (
        SELECT k.child_id, v.visit_date AS d FROM kids k
          JOIN {Visit._meta.db_table} v ON v.child_id = k.child_id AND v.kind IN ({_home_kinds()})
         WHERE v.visit_date <= %s AND v.visit_date >= %s
        UNION ALL SELECT child_id, registered_on FROM kids
        UNION ALL SELECT child_id, %s FROM kids
    ),
    ordered AS (
        SELECT child_id, d, LAG(d) OVER (PARTITION BY child_id ORDER BY d) AS prev_d FROM pts
    ),
    per_child AS (
        SELECT o.child_id,
               MAX(CASE WHEN o.prev_d IS NOT NULL AND o.d >= %s THEN {_DAYS_BETWEEN[connection.vendor]} END) AS gap
          FROM ordered o GROUP BY o.child_id
    )
    SELECT substr(k.village_id, 1, {PREFIX_LENGTH[AreaLevel.TOWNSHIP]}) AS township, COUNT(*) AS children,
           SUM(CASE WHEN p.gap <= k.home_days THEN 1 ELSE 0 END) AS on_time
      FROM kids k JOIN per_child p ON p.child_id = k.child_id
     GROUP BY substr(k.village_id, 1, {PREFIX_LENGTH[AreaLevel.TOWNSHIP]})
     ORDER BY 1
    """
    # Visits far enough back to cover the longest interval at the start of the period.
    window_start = start - datetime.timedelta(days=366)
    with connections[replicas.read_alias()].cursor() as cursor:  # a read replica's when the page reads from one
        cursor.execute(sql, [*child_params, end, window_start, end, start])
        rows = cursor.fetchall()
    names = dict(
        Area.objects.filter(code__in=[r[0] for r in rows], level=AreaLevel.TOWNSHIP).values_list("code", "name")
    )
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "children": n,
            "on_time": ok,
            "rate": round(100 * ok / n, 1) if n else None,
        }
        for code, n, ok in rows
    ]


def campaign_progress(campaign: ScreeningCampaign, user: User) -> list[dict]:
    """Per village: open archives and how many are confirmed (two queries)."""
    from django.db.models import Count

    base = access.visible_children(user).filter(status="open", village__code__startswith=campaign.area.prefix)
    totals = dict(base.values_list("village_id").annotate(n=Count("pk")).values_list("village_id", "n"))
    done = dict(
        ScreeningConfirmation.objects.filter(campaign=campaign, child__in=base.values("pk"))
        .values_list("child__village_id")
        .annotate(n=Count("pk"))
        .values_list("child__village_id", "n")
    )
    names = dict(Area.objects.filter(code__in=totals).values_list("code", "name"))
    return [
        {
            "code": code,
            "name": names.get(code, code),
            "total": total,
            "done": done.get(code, 0),
            "rate": round(100 * done.get(code, 0) / total, 1) if total else None,
        }
        for code, total in sorted(totals.items())
    ]


def proposals_for(user: User) -> QuerySet[CategoryEndProposal]:
    """Proposals to end categories of the children the user may read, open first, with what the lists show."""
    return (
        CategoryEndProposal.objects.filter(child__in=access.visible_children(user).values("pk"))
        .select_related("child__village", "confirmation__campaign", "decided_by")
        .order_by("-status", "-created_at", "-id")
    )
