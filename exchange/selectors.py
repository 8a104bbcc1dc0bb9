"""Reads of list submissions, scoped to the user."""

from django.db.models import QuerySet

from accounts.models import User
from children import access
from children.models import ArchiveStatus

from .matching import sources_for
from .models import ChangeProposal, ChangeStatus, Submission


def submissions_for(user: User) -> QuerySet[Submission]:
    """The submissions of the sources the user submits to (liaisons: their department's; civil affairs: their
    areas' departments'), newest first, with their source (one query a page)."""
    return (
        Submission.objects.filter(source__in=sources_for(user).values("pk"))
        .select_related("source__department", "received_by")
        .order_by("-received_at", "-id")
    )


def get_submission_for_user(user: User, pk: int) -> Submission:
    from django.http import Http404

    try:
        return submissions_for(user).select_related("outside_list").get(pk=int(pk))
    except (Submission.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def pending_changes_for(user: User) -> QuerySet[ChangeProposal]:
    """Pending changes of the open archives the user may change (a director's villages, a supervisor's
    township …), with the child, its village and the list they came from (one query)."""
    children = access.visible_children(user, level=access.Level.EDIT).filter(status=ArchiveStatus.OPEN)
    return (
        ChangeProposal.objects.filter(status=ChangeStatus.PENDING, child__in=children)
        .select_related("child__village", "row__submission__source__department")
        .order_by("child__village_id", "child_id", "kind", "pk")
    )


def changes_of_child(child) -> list[ChangeProposal]:
    """The archive's last changes from lists (one query)."""
    return list(
        ChangeProposal.objects.filter(child=child)
        .select_related("decided_by", "row__submission__source__department")
        .order_by("-created_at", "-id")[:10]
    )
