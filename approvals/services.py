"""Approvals: propose a change to a child's archive, approve it (the change is applied then) or return it.

The interface for other apps (children here; plans/ for closing a help plan):

    register("plan_close", apply_plan_close, label=gettext_lazy("Close a help plan"),
             describe=lambda payload: ..., subject=lambda payload: f"plan:{payload['plan']}")

    approval = request_or_apply(kind="plan_close", child=child, user=request.user,
                                payload={"plan": plan.pk, "closed_on": closed_on}, reason=note)
    if approval is None: ...            # applied at once (the region lets this user act directly)
    else: ...                           # waits for approval: nothing has changed yet

`apply_fn(*, user, child, payload)` is the existing service call of that change: it runs with the proposer (when
acting directly), as a dry run with the proposer when proposing (so that bad input is refused at once, in the
proposer's words, and rolled back), and for real with the approver when approved. It raises ValidationError to
refuse. The payload reaches it as JSON (dates as "YYYY-MM-DD" strings: use `payload_date`).

Who must ask and who decides is the region's setting (models.ApprovalSetting, rules.policy_for). Approvers are
told by an in-app notification, the proposer likewise of the decision. Nothing is deleted.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import AreaLevel, Notification, Role, User, enclosing_code
from accounts.selectors import civil_affairs_of
from children import access
from children.models import Child

from . import rules
from .models import Approval, ApprovalSetting, ApprovalStatus

ApplyFn = Callable[..., Any]


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any  # a lazy translation
    apply: ApplyFn
    describe: Callable[[dict], str]
    subject: Callable[[dict], str]


_KINDS: dict[str, Kind] = {}


def register(
    kind: str,
    apply_fn: ApplyFn,
    *,
    label: Any,
    describe: Callable[[dict], str] | None = None,
    subject: Callable[[dict], str] | None = None,
) -> None:
    """Make a kind of change approvable. `describe(payload)` is the one-line text shown to the approver (no ID
    number); `subject(payload)` names the record changed ("" for the archive itself), so one change waits once.
    Registering the same kind again replaces it (module reloads in tests)."""
    _KINDS[kind] = Kind(kind, label, apply_fn, describe or (lambda _payload: ""), subject or (lambda _payload: ""))


def registered() -> dict[str, Kind]:
    return dict(_KINDS)


def kind_of(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationError(_("Unknown kind of change.")) from None


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


def describe(approval: Approval) -> str:
    kind = _KINDS.get(approval.kind)
    return kind.describe(approval.payload) if kind else ""


def payload_date(payload: dict, key: str) -> datetime.date:
    """A date of the payload (stored as ISO text); a missing or malformed one is refused."""
    try:
        return datetime.date.fromisoformat(str(payload[key]))
    except (KeyError, ValueError):
        raise ValidationError({key: _("Enter a valid date.")}) from None


def _as_json(payload: dict) -> dict:
    """The payload as it will be stored (dates become ISO strings), so the service sees the same either way."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


# --- The region's setting ---------------------------------------------------------------------------------------


def settings_table() -> list[tuple[str, str, rules.Policy]]:
    """Every setting as (prefix, kind, policy): one query."""
    rows = ApprovalSetting.objects.values_list("prefix", "kind", "required", "approver_level", "approvers_act_directly")
    return [(p, k, rules.Policy(req, level, direct)) for p, k, req, level, direct in rows]


def policy_for(child: Child, kind: str) -> rules.Policy:
    return rules.policy_for(child.village_id, kind, settings_table())


def needs_approval(user: User, child: Child, kind: str) -> bool:
    """Whether this user's change of this kind would wait for approval (a page may say "propose" instead of "save")."""
    return not rules.acts_directly(user.role, user.is_administrator, policy_for(child, kind))


def can_decide(user: User, approval: Approval) -> bool:
    """A waiting request is decided by someone other than its proposer, of the role its level asks for, whose areas
    cover the child (children.access: change level)."""
    if approval.status != ApprovalStatus.PROPOSED or approval.proposed_by_id == user.pk:
        return False
    if not rules.may_approve(user.role, user.is_administrator, approval.approver_level):
        return False
    return access.level_for(user, approval.child) >= access.Level.EDIT


def approvers_for(child: Child, level: str) -> QuerySet[User]:
    """Who is told of a request: the supervisors of the child's township (none: the county's civil affairs), or
    for county level the civil-affairs staff answering for the child's county."""
    if level == rules.TOWNSHIP:
        township = enclosing_code(child.village_id, AreaLevel.TOWNSHIP)
        supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True, areas__code=township)
        if supervisors.exists():
            return supervisors
    return civil_affairs_of(child.village_id)


# --- Writes -----------------------------------------------------------------------------------------------------


class _DryRun(Exception):
    pass


def _dry_run(kind: Kind, *, user: User, child: Child, payload: dict) -> None:
    """Run the change on a fresh copy of the child and roll it back: refuses bad input now, changes nothing."""
    fresh = Child.objects.select_related("village").get(pk=child.pk)
    try:
        with transaction.atomic():
            kind.apply(user=user, child=fresh, payload=payload)
            raise _DryRun
    except _DryRun:
        pass


def _notify(user_ids, *, key: str, title: str, body: str, url: str) -> None:
    Notification.objects.bulk_create(
        [Notification(user_id=pk, key=key, title=title[:200], body=body, url=url) for pk in user_ids],
        ignore_conflicts=True,
    )


@transaction.atomic
def request_or_apply(*, kind: str, child: Child, user: User, payload: dict, reason: str = "") -> Approval | None:
    """Apply the change at once where the child's region lets this user act directly (returns None), otherwise
    record a request for approval (returns it) and tell the approvers: then nothing changes until approved.

    `child` has passed the gate (children.access) at change level; the user must be able to change the archive."""
    entry = kind_of(kind)
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    payload = _as_json(payload)
    policy = policy_for(child, kind)
    if rules.acts_directly(user.role, user.is_administrator, policy):
        entry.apply(user=user, child=child, payload=payload)
        return None
    subject = entry.subject(payload)
    if Approval.objects.filter(child=child, kind=kind, subject=subject, status=ApprovalStatus.PROPOSED).exists():
        raise ValidationError(_("This change is already waiting for approval."))
    _dry_run(entry, user=user, child=child, payload=payload)
    approval = Approval(
        kind=kind,
        child=child,
        subject=subject,
        payload=payload,
        reason=reason.strip(),
        approver_level=policy.approver_level,
        proposed_by=user,
    )
    approval.full_clean()
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError:
        raise ValidationError(_("This change is already waiting for approval.")) from None
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            approvers_for(child, policy.approver_level).exclude(pk=user.pk).values_list("pk", flat=True),
            key=f"approval:{approval.pk}",
            title=_("Waiting for your approval: %(kind)s, %(child)s") % {"kind": entry.label, "child": child.name},
            body=entry.describe(payload),
            url=reverse("approvals:detail", args=[approval.pk]),
        )
    return approval


def _locked(approval: Approval) -> Approval:
    return (
        Approval.objects.select_for_update(of=("self",))
        .select_related("child__village", "proposed_by")
        .get(pk=approval.pk)
    )


def _require_decider(user: User, approval: Approval) -> None:
    if approval.status != ApprovalStatus.PROPOSED:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    if not can_decide(user, approval):
        raise PermissionDenied(_("Only an approver of this child's area decides this request."))


def _decided(user: User, approval: Approval, status: str, reason: str) -> None:
    approval.status = status
    approval.decided_by = user
    approval.decided_at = timezone.now()
    approval.decision_reason = reason.strip()
    approval.save()


def _tell_proposer(approval: Approval, title: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [approval.proposed_by_id],
            key=f"approval-decided:{approval.pk}",
            title=title % {"kind": kind_label(approval.kind), "child": approval.child.name},
            body=approval.decision_reason,
            url=reverse("approvals:detail", args=[approval.pk]),
        )


@transaction.atomic
def approval_approve(*, user: User, approval: Approval, note: str = "") -> Approval:
    """Apply the proposed change through its service (as the approver; the archive's history keeps it) and tell
    the proposer. If the service refuses (the archive changed meanwhile), nothing changes and the request waits."""
    approval = _locked(approval)
    _require_decider(user, approval)
    kind_of(approval.kind).apply(user=user, child=approval.child, payload=approval.payload)
    _decided(user, approval, ApprovalStatus.APPROVED, note)
    _tell_proposer(approval, _("Approved: %(kind)s, %(child)s"))
    return approval


@transaction.atomic
def approval_return(*, user: User, approval: Approval, reason: str) -> Approval:
    """Return the request with a reason (required), which the proposer is told; the archive stays as it is."""
    approval = _locked(approval)
    _require_decider(user, approval)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for returning the request.")})
    _decided(user, approval, ApprovalStatus.RETURNED, reason)
    _tell_proposer(approval, _("Returned: %(kind)s, %(child)s"))
    return approval


@transaction.atomic
def approval_withdraw(*, user: User, approval: Approval) -> Approval:
    """The proposer takes back a request still waiting."""
    approval = _locked(approval)
    if approval.proposed_by_id != user.pk:
        raise PermissionDenied(_("Only the proposer may withdraw this request."))
    if approval.status != ApprovalStatus.PROPOSED:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    approval.status = ApprovalStatus.WITHDRAWN
    approval.save()
    return approval
