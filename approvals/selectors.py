"""Reads of approval requests, scoped to the user through children.access."""

from django.db.models import QuerySet

from accounts.models import Role, User
from children import access
from children.models import Child

from . import rules
from .models import Approval, ApprovalStatus

RELATED = ("child__village__parent", "proposed_by", "decided_by")
LIST_ROWS = 100


def _levels_of(user: User) -> list[str]:
    """The levels whose requests wait in this user's worklist: a supervisor's township, civil affairs' county
    (they may also decide township requests, which they find on the approvals page), all for administrators."""
    if user.is_administrator:
        return [rules.TOWNSHIP, rules.COUNTY]
    if user.role == Role.SUPERVISOR:
        return [rules.TOWNSHIP]
    if user.role == Role.CIVIL_AFFAIRS:
        return [rules.COUNTY]
    return []


def _in_scope(user: User, qs: QuerySet[Approval]) -> QuerySet[Approval]:
    """Requests about children whose archive the user may change (their areas; a share never counts)."""
    return access.scope(user, qs, village_field="child__village__code", child_field="child_id", level=access.Level.EDIT)


def worklist_for(user: User) -> QuerySet[Approval]:
    """Requests waiting for this user's decision, oldest first (the approver's worklist)."""
    levels = _levels_of(user)
    if not levels or not user.is_active:
        return Approval.objects.none()
    qs = Approval.objects.filter(status=ApprovalStatus.PROPOSED, approver_level__in=levels).exclude(proposed_by=user)
    return _in_scope(user, qs).select_related(*RELATED).order_by("proposed_at", "id")


def decidable_for(user: User) -> QuerySet[Approval]:
    """Every waiting request this user may decide (any level their role approves), oldest first."""
    levels = [lvl for lvl in (rules.TOWNSHIP, rules.COUNTY) if rules.may_approve(user.role, user.is_administrator, lvl)]
    if not levels or not user.is_active:
        return Approval.objects.none()
    qs = Approval.objects.filter(status=ApprovalStatus.PROPOSED, approver_level__in=levels).exclude(proposed_by=user)
    return _in_scope(user, qs).select_related(*RELATED).order_by("proposed_at", "id")


def proposed_by(user: User) -> QuerySet[Approval]:
    return Approval.objects.filter(proposed_by=user).select_related(*RELATED).order_by("-proposed_at", "-id")


def decided_by(user: User) -> QuerySet[Approval]:
    return Approval.objects.filter(decided_by=user).select_related(*RELATED).order_by("-decided_at", "-id")


def for_child(child: Child, *, limit: int = 20) -> list[Approval]:
    """The child's requests, waiting ones first, then the latest decided (the archive page): one query."""
    qs = Approval.objects.filter(child=child).select_related("proposed_by", "decided_by")
    rows = list(qs.order_by("-proposed_at", "-id")[:limit])
    return sorted(rows, key=lambda a: not a.is_waiting)
