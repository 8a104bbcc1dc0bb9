"""One timeline for a child's archive page, merged from lists the page has already loaded (no extra queries)."""

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass
class Event:
    day: datetime.date
    kind: str
    text: str
    url: str


def merge(
    child, *, visits, assessments, reports, interventions, conferences, referrals, placements=(), limit: int = 60
):
    events = [
        Event(
            timezone.localdate(v.visited_at),
            str(v.get_kind_display()),
            v.problems_found or "",
            reverse("visits:detail", args=[child.pk, v.pk]),
        )
        for v in visits
    ]
    # A visit that found harm and needed no report: the director's reason, kept in the archive (guardianship.harm).
    events += [
        Event(
            timezone.localdate(v.no_report_at),
            _("No mandatory report needed"),
            f"{v.no_report_reason} · {v.no_report_by or ''}",
            reverse("visits:detail", args=[child.pk, v.pk]) + "#harm",
        )
        for v in visits
        if v.no_report_reason and v.no_report_at
    ]
    events += [
        Event(
            p.from_on,
            _("Temporary placement"),
            f"{p.get_kind_display()} · {p.institution}" + (f" · {_('until')} {p.to_on:%Y-%m-%d}" if p.to_on else ""),
            "",
        )
        for p in placements
    ]
    events += [
        Event(
            a.assessed_on,
            _("Guardianship assessment"),
            f"{a.get_grade_display()} · {a.score}",
            reverse("guardianship:assessment", args=[child.pk, a.pk]),
        )
        for a in assessments
    ]
    events += [
        Event(
            timezone.localdate(r.created_at),
            _("Mandatory report"),
            f"{r.get_harm_type_display()} · {r.get_status_display()}",
            reverse("guardianship:report", args=[r.pk]),
        )
        for r in reports
    ]
    events += [Event(i.issued_on, _("Guardianship intervention"), str(i.get_kind_display()), "") for i in interventions]
    events += [Event(c.held_on, _("Case conference"), c.summary[:60], "") for c in conferences]
    events += [
        Event(
            timezone.localdate(r.created_at),
            _("Referral"),
            f"{r.get_service_display()} → {r.department} · {r.get_status_display()}",
            reverse("guardianship:referral", args=[r.pk]),
        )
        for r in referrals
    ]
    return sorted(events, key=lambda e: e.day, reverse=True)[:limit]
