"""Deciding a change a department's list reported: the director (anyone who may change the archive) confirms it,
and the archive changes through the existing services, or dismisses it with a reason. Category changes and closing
go through approvals.request_or_apply, so a region that asks for approval gets its approval request instead."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from approvals import kinds as approval_kinds
from approvals.services import request_or_apply
from children import access
from children import services as child_services
from children.categories import LEFT_BEHIND, Category
from children.models import (
    Child,
    ChildCategory,
    CloseReason,
    Enrolment,
    FamilyMember,
    Health,
    ParentSituation,
    Relation,
    WelfareCoverage,
)

from . import rules
from .models import ChangeKind, ChangeProposal, ChangeStatus


def _locked(user: User, proposal: ChangeProposal) -> ChangeProposal:
    locked = (
        ChangeProposal.objects.select_for_update(of=("self",))
        .select_related("child__village", "row__submission__source__department")
        .get(pk=proposal.pk)
    )
    if locked.status != ChangeStatus.PENDING:
        raise ValidationError(_("This change has already been decided."))
    if not access.can_edit_child(user, locked.child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    return locked


def _note(proposal: ChangeProposal) -> str:
    return (_("From the list of %(source)s") % {"source": proposal.row.submission.source})[:200]


def _category_add(user: User, child: Child, category: str, on: datetime.date, note: str):
    if ChildCategory.objects.filter(child=child, category=category, ended_on__isnull=True).exists():
        return None
    return request_or_apply(
        kind=approval_kinds.CATEGORY_ADD,
        child=child,
        user=user,
        payload={"category": category, "started_on": on.isoformat(), "note": note},
        reason=note,
    )


def _parent_situation(user: User, proposal: ChangeProposal, situation: str) -> None:
    """Record the parent's situation on the archive's family (record_save: history, flags, schedule, proposals)."""
    child = proposal.child
    parent = FamilyMember.objects.filter(child=child, relation=proposal.relation).order_by("pk").first()
    if parent is None:
        if situation == ParentSituation.NORMAL:
            return  # nobody recorded away: nothing to bring home
        parent = FamilyMember(
            relation=proposal.relation, name=proposal.row.parent_name or str(Relation(proposal.relation).label)
        )
    parent.situation = situation
    if situation == ParentSituation.NORMAL:
        parent.away_since = None
        parent.work_destination = ""
    parent._change_reason = _note(proposal)
    child_services.record_save(user=user, child=child, record=parent)


def _apply(user: User, proposal: ChangeProposal, on: datetime.date) -> list:
    """Change the archive; returns the approval requests made where the region asks for approval."""
    child, note = proposal.child, _note(proposal)
    requested = []
    if proposal.kind == ChangeKind.DROPOUT:
        if child.enrolment != Enrolment.DROPPED_OUT:
            child.enrolment = Enrolment.DROPPED_OUT
            child._change_reason = note
            child_services.child_update(user=user, child=child, expected_version=None)
        requested.append(_category_add(user, child, Category.DROPOUT, on, note))
    elif proposal.kind == ChangeKind.PARENT_DETAINED:
        _parent_situation(user, proposal, ParentSituation.IMPRISONED)
        requested.append(_category_add(user, child, Category.POOR_GUARDIANSHIP, on, note))
        proposal.visit_due_on = on + datetime.timedelta(days=rules.VISIT_WITHIN_DAYS)
    elif proposal.kind == ChangeKind.PARENT_RETURNED:
        _parent_situation(user, proposal, ParentSituation.NORMAL)
        for item in ChildCategory.objects.filter(child=child, category__in=LEFT_BEHIND, ended_on__isnull=True):
            item.child = child
            requested.append(
                request_or_apply(
                    kind=approval_kinds.CATEGORY_END,
                    child=child,
                    user=user,
                    payload={
                        "item": item.pk,
                        "category": item.category,
                        "ended_on": max(on, item.started_on).isoformat(),
                    },
                    reason=note,
                )
            )
    elif proposal.kind == ChangeKind.SERIOUSLY_ILL:
        # The category first: the health recorded next then implies nothing more (children.identification).
        requested.append(_category_add(user, child, Category.SERIOUSLY_ILL, on, note))
        if child.health != Health.SERIOUSLY_ILL:
            child.refresh_from_db(fields=["category_flags", "version"])
            child.health = Health.SERIOUSLY_ILL
            child._change_reason = note
            child_services.child_update(user=user, child=child, expected_version=None)
    elif proposal.kind == ChangeKind.DISABLED:
        # The register says the child is disabled; its type and grade are for the director to record.
        requested.append(_category_add(user, child, Category.DISABLED, on, note))
    elif proposal.kind == ChangeKind.WELFARE_ENDED:
        for coverage in WelfareCoverage.objects.filter(child=child, kind__in=rules.ROLL_WELFARE, ended_on__isnull=True):
            coverage.ended_on = max(on, coverage.started_on)
            coverage._change_reason = note
            child_services.record_save(user=user, child=child, record=coverage)
    # WELFARE_STARTED: which welfare and how much the roll does not say; the page leads to the coverage form.
    elif proposal.kind == ChangeKind.DIED:
        if child.is_open:
            requested.append(
                request_or_apply(
                    kind=approval_kinds.CHILD_CLOSE,
                    child=child,
                    user=user,
                    payload={"reason": CloseReason.DECEASED, "closed_on": on.isoformat(), "note": note},
                    reason=note,
                )
            )
    return [a for a in requested if a is not None]


@transaction.atomic
def change_confirm(*, user: User, proposal: ChangeProposal, on: datetime.date | None = None) -> ChangeProposal:
    """Apply the change to the archive (today by default) and record who confirmed it. A dropout's
    return-to-school plan is drawn up next (the page leads there; plans.rules asks for one, 004 §10); a detained
    parent's child is to be visited within rules.VISIT_WITHIN_DAYS days (a reminder follows if no visit is made);
    a child newly on a welfare roll has its coverage recorded next (the page leads to the form: the roll does not
    say which welfare nor how much)."""
    proposal = _locked(user, proposal)
    on = on or timezone.localdate()
    if not proposal.child.is_open:
        raise ValidationError(_("This archive is closed."))
    proposal.status = ChangeStatus.CONFIRMED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.approvals = _apply(user, proposal, on)
    proposal._history_user = user
    proposal.save()
    return proposal


@transaction.atomic
def change_dismiss(*, user: User, proposal: ChangeProposal, reason: str) -> ChangeProposal:
    proposal = _locked(user, proposal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the change does not apply.")})
    proposal.status = ChangeStatus.DISMISSED
    proposal.reason = reason[:300]
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal._history_user = user
    proposal.save()
    return proposal
