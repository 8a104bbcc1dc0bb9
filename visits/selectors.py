"""Reads for visit pages, scoped through children.access, each a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.db import connections
from django.db.models import CharField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Concat

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
from .schedule import CHILD, SCHEDULE, VISIT, add_days_sql, due_under_sql, recent_since


def schedules_for(user: User) -> VisitScheduleQuerySet:
    """Schedules carry the village code, so the access rule applies to them without joining the children."""
    return access.scope(user, VisitSchedule.objects.all(), village_field="village__code", child_field="child_id")


# The due date as an expression no index serves (issue 20: plans that flip). For an area up to a county, ordering by
# it leaves the planner one sensible shape: the area's rows through the village index, then a sort of those few
# thousand. Ordered by the bare column, a sample that misjudged how the county's rows lie along the due dates made
# it walk schedule_due_idx from the oldest date instead (bench/plan_stability.py: 261 ms against 2.8 ms).
UNINDEXED_DUE_ON = Coalesce("due_on", "due_on")


def _narrow_scope(user: User) -> bool:
    """Every area of the user is a county or smaller."""
    prefixes = access.area_prefixes(user)
    return bool(prefixes) and min(map(len, prefixes)) >= PREFIX_LENGTH[AreaLevel.COUNTY]


def worklist_for(user: User, today: datetime.date) -> VisitScheduleQuerySet:
    """本周待访: due within 7 days or overdue, the most overdue first. A city's or province's worklist walks the
    due-date index in order and stops at the page, the fast shape when the area holds most of the rows."""
    due = UNINDEXED_DUE_ON if _narrow_scope(user) else F("due_on")
    return schedules_for(user).to_visit(today).select_related("child", "village").order_by(due, "child_id")


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


def quarter_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar quarter before today."""
    q_start_month = 3 * ((today.month - 1) // 3) + 1
    this_q = datetime.date(today.year, q_start_month, 1)
    end = this_q - datetime.timedelta(days=1)
    start = datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return start, end


def _on_time_sql(child_sql: str) -> str:
    """Per child of `child_sql` with a home-visit interval: (child_id, village_id, on_time), on time when it was
    overdue on no day of the period, `rules.overdue_in_period` set-based. Its parameters: the period's first day twice,
    the child query's, `recent_since` of the first day and the first day, twice, the first day again, the last day
    twice.

    The period's days fall into stretches that end on a home visit in the period or on its last day; within one the
    last home visit before the day (or the registration, if none) and so the due date stay the same
    (`due_under_sql`, the schedule's own: a stricter interval since a change counts from the change, capped), so the
    child was overdue in a stretch when that due date is before the stretch's last day (`rules.overdue`: due on the
    day itself is not overdue). The interval, since and cap are the stored schedule's, today's, as the monthly
    snapshots take them (rules are data that rarely change; README, dashboards)."""
    home = ", ".join(f"'{kind}'" for kind in rules.HOME_KINDS)
    due = due_under_sql(
        add_days_sql("COALESCE(o.prev, k.registered_on)", "k.home_days"), "k.home_days", "k.home_since", "k.home_cap"
    )
    return f"""
    WITH kids AS (
        SELECT s.child_id, s.village_id, s.home_days, s.home_since, s.home_cap, c.registered_on,
               CASE WHEN c.registered_on > %s THEN c.registered_on ELSE %s END AS first_day
          FROM {SCHEDULE} s JOIN {CHILD} c ON c.id = s.child_id
         WHERE s.home_days IS NOT NULL AND s.child_id IN ({child_sql})
    ),
    pts AS (
        -- The last home visit before the period (one index lookup per child): since `recent_since` first, which
        -- reads the period's year and the year before (config/partitions.py), earlier years only for a child with
        -- none since (COALESCE evaluates its second lookup only then); the home visits in it; its last day.
        SELECT child_id, d, 0 AS ends FROM (
            SELECT k.child_id, COALESCE(
                       (SELECT MAX(v.visit_date) FROM {VISIT} v WHERE v.child_id = k.child_id
                           AND v.kind IN ({home}) AND v.visit_date >= %s AND v.visit_date < %s),
                       (SELECT MAX(v.visit_date) FROM {VISIT} v WHERE v.child_id = k.child_id
                           AND v.kind IN ({home}) AND v.visit_date < %s)) AS d
              FROM kids k
        ) pre WHERE d IS NOT NULL
        UNION ALL
        SELECT v.child_id, v.visit_date, 1 FROM {VISIT} v
         WHERE v.kind IN ({home}) AND v.visit_date >= %s AND v.visit_date <= %s
           AND v.child_id IN (SELECT child_id FROM kids)
        UNION ALL
        SELECT child_id, %s, 1 FROM kids
    ),
    ordered AS (
        -- Two points on one day: the first has the visit before it; the second adds nothing (its due date counts
        -- from that day, so it is late only where the first is).
        SELECT child_id, d, ends, LAG(d) OVER (PARTITION BY child_id ORDER BY d) AS prev FROM pts
    ),
    per_child AS (
        SELECT o.child_id, MAX(CASE WHEN o.ends = 1 AND o.d >= k.first_day AND {due} < o.d THEN 1 ELSE 0 END) AS late
          FROM ordered o JOIN kids k ON k.child_id = o.child_id
         GROUP BY o.child_id
    )
    SELECT k.child_id, k.village_id, 1 - p.late AS on_time
      FROM kids k JOIN per_child p ON p.child_id = k.child_id
    """


def on_time_statement(children: QuerySet, start: datetime.date, end: datetime.date) -> tuple[str, list]:
    """The per-child on-time statement over [start, end] for `children` (a Child queryset), with its parameters."""
    child_sql, child_params = children.values("pk").query.sql_with_params()
    recent = recent_since(start)
    return _on_time_sql(child_sql), [start, start, *child_params, recent, start, recent, start, end, end]


def _on_time_rows(children: QuerySet, start: datetime.date, end: datetime.date, wrap: str = "{}") -> list[tuple]:
    sql, params = on_time_statement(children, start, end)
    with connections[replicas.read_alias()].cursor() as cursor:  # a read replica's when the page reads from one
        cursor.execute(wrap.format(sql), params)
        return cursor.fetchall()


def on_time_by_child(children: QuerySet, start: datetime.date, end: datetime.date) -> dict[int, bool]:
    """Whether each child of `children` (a Child queryset) with a home-visit interval was on time over [start, end]
    (never overdue: `rules.overdue_in_period`)."""
    return {child_id: bool(ok) for child_id, _village, ok in _on_time_rows(children, start, end)}


def compliance_by_township(user: User, start: datetime.date, end: datetime.date) -> list[dict]:
    """On-time home-visit rate per township over [start, end]: the open children registered by the end with a
    home-visit interval, and those of them overdue on no day of the period (`rules.overdue_in_period`). One query."""
    children = access.visible_children(user).filter(status="open", registered_on__lte=end)
    township = f"substr(village_id, 1, {PREFIX_LENGTH[AreaLevel.TOWNSHIP]})"
    rows = _on_time_rows(
        children,
        start,
        end,
        wrap=f"SELECT {township}, COUNT(*), SUM(on_time) FROM ({{}}) per_child GROUP BY {township} ORDER BY 1",
    )
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
    """Proposals to end categories of the children the user may read, open first, with what the lists show, and
    whether a confirmation waits for approval (`awaiting_approval`: then it is the approver's to decide)."""
    from approvals.models import Approval, ApprovalStatus

    from .services import PROPOSAL_SUBJECT, SCREENING_CATEGORY_END

    waiting = Approval.objects.filter(
        child=OuterRef("child"),
        kind=SCREENING_CATEGORY_END,
        subject=Concat(Value(PROPOSAL_SUBJECT), Cast(OuterRef("pk"), CharField())),
        status=ApprovalStatus.PROPOSED,
    )
    return (
        CategoryEndProposal.objects.filter(child__in=access.visible_children(user).values("pk"))
        .annotate(awaiting_approval=Exists(waiting))
        .select_related("child__village", "confirmation__campaign", "decided_by")
        .order_by("-status", "-created_at", "-id")
    )
