"""Visits that found harm and are not yet answered by a mandatory report (issue 15: "harm must reach someone").

A visit with `harm_found` is *answered* when a report exists for it (filed from the visit), or for its child filed
since the visit, or when the director has recorded why no report is needed (visits.services.visit_no_report).
Until then it is listed (worklists, the supervisors' and counties' list) and reminded daily (guardianship.sweep).
This module is the rule's one home: every list and the reminder read `unanswered_harm_visits`.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from children import access
from visits.models import Visit

from .models import Report


def _reports_answering() -> Q:
    """Reports answering the visit of the outer query: filed from it, or about its child since it."""
    return Q(visit_id=OuterRef("pk")) | Q(child_id=OuterRef("child_id"), created_at__gte=OuterRef("visited_at"))


def unanswered_harm_visits() -> QuerySet[Visit]:
    """Every visit that found harm with neither a report nor a recorded reason (index visit_harm_open_idx)."""
    return (
        Visit.objects.filter(harm_found=True, no_report_reason="")
        .exclude(Exists(Report.objects.filter(_reports_answering())))
        .filter(child__status="open")
    )


def unanswered_harm_for(user: User) -> QuerySet[Visit]:
    """Those of the children whose archive the user reads (a director's villages, a supervisor's township, a
    county), oldest first, with what the list shows; one query."""
    qs = access.scope(user, unanswered_harm_visits(), village_field="child__village__code", child_field="child_id")
    return qs.select_related("child__village", "created_by").order_by("visited_at", "pk")


def answering_reports(visit: Visit, user: User) -> QuerySet[Report]:
    """The reports (among those the user may read) that answer this visit."""
    from .reports import reports_for

    q = Q(visit_id=visit.pk) | Q(child_id=visit.child_id, created_at__gte=visit.visited_at)
    return reports_for(user).filter(q).order_by("created_at")


def is_unanswered(visit: Visit) -> bool:
    return unanswered_harm_visits().filter(pk=visit.pk).exists()
