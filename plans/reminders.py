"""Daily help-plan reminders, idempotent by notification key (as guardianship.sweep's follow-ups): a measure coming
due is reminded to whoever carries it out (the staff owner; a department's liaisons; for a paired helper or an
organisation, the plan's responsible person); an overdue one again to them and, escalated, to the county's civil
affairs. Reviews coming due go to the responsible person, missed ones also to the county. Once a week (the key names
the ISO week, on Mondays) the directors and the county staff hear how many children of theirs lack a required plan."""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import AreaLevel, Notification, Role, User, enclosing_code
from accounts.selectors import staff_by_area
from children.models import Child

from . import rules, selectors
from .models import HelpPlan, Measure, OwnerKind, PlanStatus

COUNTY = AreaLevel.COUNTY
MISSING_WEEKDAY = 0  # Monday


def _liaisons(department_ids: set[int]) -> dict[int, list[int]]:
    rows = User.objects.filter(department_id__in=department_ids, role=Role.LIAISON, is_active=True).values_list(
        "department_id", "pk"
    )
    out: dict[int, list[int]] = defaultdict(list)
    for department_id, user_id in rows:
        out[department_id].append(user_id)
    return out


def _carriers(measure: Measure, liaisons: dict[int, list[int]]) -> list[int]:
    if measure.owner_kind == OwnerKind.STAFF:
        return [measure.owner_id]
    if measure.owner_kind == OwnerKind.DEPARTMENT:
        return liaisons.get(measure.referral.department_id, []) or [measure.plan.lead_id]
    return [measure.plan.lead_id]


def measure_notes(today: datetime.date) -> list[Notification]:
    horizon = today + datetime.timedelta(days=rules.MEASURE_NOTICE_DAYS)
    measures = list(
        Measure.objects.filter(
            done_on__isnull=True, due_on__lte=horizon, plan__status=PlanStatus.OPEN, plan__child__status="open"
        ).select_related("plan__child", "referral")
    )
    if not measures:
        return []
    liaisons = _liaisons({m.referral.department_id for m in measures if m.referral_id})
    counties = staff_by_area({enclosing_code(m.plan.child.village_id, COUNTY) for m in measures}, Role.CIVIL_AFFAIRS)
    notes = []
    for m in measures:
        stage = rules.measure_stage(m.due_on, today)
        child = m.plan.child
        url = reverse("plans:detail", args=[child.pk, m.plan_id]) + f"#measure-{m.pk}"
        if stage == "soon":
            title = _("Help-plan measure due on %(date)s: %(child)s, %(what)s")
            recipients = set(_carriers(m, liaisons))
        else:
            title = _("Help-plan measure overdue (due %(date)s): %(child)s, %(what)s")
            recipients = {*_carriers(m, liaisons), *counties.get(enclosing_code(child.village_id, COUNTY), [])}
        title = title % {"date": m.due_on.isoformat(), "child": child.name, "what": m.description}
        notes += [
            Notification(user_id=u, key=f"plan-measure-{stage}:{m.pk}:{m.due_on}", title=title[:200], url=url)
            for u in recipients
        ]
    return notes


def review_notes(today: datetime.date) -> list[Notification]:
    horizon = today + datetime.timedelta(days=rules.REVIEW_NOTICE_DAYS)
    plans = list(
        HelpPlan.objects.filter(
            status=PlanStatus.OPEN, next_review_on__lte=horizon, child__status="open"
        ).select_related("child")
    )
    counties = staff_by_area({enclosing_code(p.child.village_id, COUNTY) for p in plans}, Role.CIVIL_AFFAIRS)
    notes = []
    for p in plans:
        stage = rules.review_stage(p.next_review_on, today)
        if stage == "soon":
            title, recipients = _("Help-plan review due by %(date)s: %(child)s"), {p.lead_id}
        else:
            title = _("Help-plan review missed (due %(date)s): %(child)s")
            recipients = {p.lead_id, *counties.get(enclosing_code(p.child.village_id, COUNTY), [])}
        title = title % {"date": p.next_review_on.isoformat(), "child": p.child.name}
        notes += [
            Notification(
                user_id=u,
                key=f"plan-review-{stage}:{p.pk}:{p.next_review_on}",
                title=title[:200],
                url=reverse("plans:review_new", args=[p.child_id, p.pk]),
            )
            for u in recipients
        ]
    return notes


def missing_notes(today: datetime.date) -> list[Notification]:
    """Per village, the children lacking a required plan (one grouped query over every open archive), told to the
    village's directors and summed for the county's civil affairs: on Mondays (MISSING_WEEKDAY) only, so the scan
    runs once a week; the key names the ISO week, so a second run that Monday writes nothing."""
    if today.weekday() != MISSING_WEEKDAY:
        return []
    by_village = dict(
        Child.objects.filter(selectors.missing_q(selectors.active_rule_sets()))
        .values("village_id")
        .annotate(n=Count("pk"))
        .values_list("village_id", "n")
    )
    if not by_village:
        return []
    by_county: dict[str, int] = defaultdict(int)
    for village, n in by_village.items():
        by_county[enclosing_code(village, COUNTY)] += n
    directors = staff_by_area(set(by_village), Role.DIRECTOR)
    county_staff = staff_by_area(set(by_county), Role.CIVIL_AFFAIRS)
    year, week, _day = today.isocalendar()
    key = f"plans-missing:{year}-W{week:02d}"
    url = reverse("plans:missing")
    counts: dict[int, int] = defaultdict(int)
    for village, n in by_village.items():
        for u in directors.get(village, []):
            counts[u] += n
    for county, n in by_county.items():
        for u in county_staff.get(county, []):
            counts[u] += n
    return [
        Notification(
            user_id=u, key=key, url=url, title=_("%(n)d children must have a help plan and have none") % {"n": n}
        )
        for u, n in sorted(counts.items())
    ]


def daily(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        notes = measure_notes(today) + review_notes(today) + missing_notes(today)
    with transaction.atomic():
        Notification.objects.bulk_create(notes, ignore_conflicts=True)
    return len(notes)
