"""Reads of the psychological record, scoped by psychology.access."""

import datetime

from django.db.models import QuerySet

from accounts.models import Department, DepartmentKind, User
from children.models import Child
from guardianship.reports import handling_departments

from .access import scoped
from .models import CounsellingSession, Screening


def screenings_of(child: Child) -> list[Screening]:
    """A child's screenings, newest first, with the referral and its department (one query)."""
    return list(Screening.objects.filter(child=child).select_related("referral__department", "proposal"))


def sessions_of(child: Child) -> list[CounsellingSession]:
    return list(CounsellingSession.objects.filter(child=child))


def open_follow_ups(child: Child) -> QuerySet[Screening]:
    return Screening.objects.filter(child=child, follow_up_done_on__isnull=True).exclude(level="normal")


def referable(child: Child) -> QuerySet[Screening]:
    return Screening.objects.filter(child=child, referral__isnull=True).exclude(level="normal")


def referral_departments(child: Child) -> QuerySet[Department]:
    """The departments a referral of this child may go to (guardianship.reports.handling_departments), the health
    commissions first."""
    from django.db.models import Case, IntegerField, Value, When

    return (
        handling_departments(child.village_id)
        .annotate(
            health=Case(When(kind=DepartmentKind.HEALTH, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("health", "-area__prefix", "name")
    )


def follow_ups_due(user: User, today: datetime.date) -> QuerySet[Screening]:
    """Open follow-ups of screenings that found a difficulty, of the children the user may read (one query; the
    list is paged)."""
    return (
        scoped(user, Screening.objects.filter(follow_up_done_on__isnull=True).exclude(level="normal"))
        .select_related("child__village")
        .order_by("follow_up_due", "child_id", "pk")
    )
