"""Writes of bulk actions (issue 18). Every bulk action makes its changes through the single action's own service,
child by child (each in its own savepoint: one refusal leaves the others done), after the gate
(children.access.children_for) has let each child through; the run records what was done and what was refused,
and why. The reassignment on a director's departure hands records over set-based, with their history rows written
by simple-history's bulk writer (a constant number of queries, however many records).

    screening_confirm_many(user=..., campaign=..., children=[...], refused=[...], still_eligible=True, ...)
    transfer_many(user=..., children=[...], refused=[...], to_village=..., on=..., reason=...)
    selection_recorded(user=..., kind=BulkKind.EXPORT, children=[...], refused=[...])
    reassign(user=..., villages=[...], leaving=..., receiving=..., release=True)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import Area, AreaLevel, Notification, Role, User
from approvals.models import Approval
from children import access
from children import services as child_services
from children.models import Child
from guardianship.models import FollowUp
from oversight.models import ListRow, Outcome
from plans.models import HelpPlan, Measure, OwnerKind, PlanStatus
from visits import services as visit_services
from visits.models import ScreeningCampaign

from .models import BulkItem, BulkKind, BulkRun, ItemStatus

Refused = list[tuple[int, str]]  # (archive number, reason) of the children the gate did not let through


def _reason(exc: Exception) -> str:
    messages = getattr(exc, "messages", None) or [str(exc)]
    return " ".join(str(m) for m in messages)[:300]


def run_record(*, user: User, kind: str, items: list[BulkItem], summary: dict | None = None) -> BulkRun:
    run = BulkRun(
        kind=kind,
        user=user,
        summary=summary or {},
        done=sum(i.status == ItemStatus.DONE for i in items),
        requested=sum(i.status == ItemStatus.REQUESTED for i in items),
        refused=sum(i.status == ItemStatus.REFUSED for i in items),
    )
    run.save()
    for item in items:
        item.run = run
    BulkItem.objects.bulk_create(items)
    return run


def _refused_items(refused: Refused) -> list[BulkItem]:
    return [BulkItem(child_ref=pk, status=ItemStatus.REFUSED, reason=reason[:300]) for pk, reason in refused]


def run_each(children: Iterable[Child], action: Callable[[Child], Any]) -> list[BulkItem]:
    """Run the single action for each child in a savepoint of its own: a refusal (ValidationError, PermissionDenied)
    undoes that child's changes only and is reported with the service's own words. A result that is an approval
    request means the region asks for approval: nothing changed yet."""
    items = []
    for child in children:
        try:
            with transaction.atomic():
                result = action(child)
        except (ValidationError, PermissionDenied) as exc:
            items.append(BulkItem(child_ref=child.pk, status=ItemStatus.REFUSED, reason=_reason(exc)))
            continue
        status = ItemStatus.REQUESTED if isinstance(result, Approval) else ItemStatus.DONE
        items.append(BulkItem(child_ref=child.pk, status=status))
    return items


@transaction.atomic
def screening_confirm_many(
    *,
    user: User,
    campaign: ScreeningCampaign,
    children: list[Child],
    refused: Refused,
    still_eligible: bool,
    data_current: bool,
    note: str = "",
) -> BulkRun:
    """Confirm each child in the screening through visits.services.screening_confirm (which refuses a child outside
    the screening's area, a closed archive, one already confirmed, a screening not yet started)."""
    items = _refused_items(refused) + run_each(
        children,
        lambda child: visit_services.screening_confirm(
            user=user,
            campaign=campaign,
            child=child,
            still_eligible=still_eligible,
            data_current=data_current,
            note=note,
        ),
    )
    return run_record(user=user, kind=BulkKind.SCREENING_CONFIRM, items=items, summary={"campaign": campaign.pk})


@transaction.atomic
def transfer_many(
    *, user: User, children: list[Child], refused: Refused, to_village: Area, on: datetime.date, reason: str
) -> BulkRun:
    """Transfer each child through children.services.child_transfer, the archive's own transfer (its history keeps
    the old village; the visit schedule follows)."""
    items = _refused_items(refused) + run_each(
        children,
        lambda child: child_services.child_transfer(
            user=user, child=child, to_village=to_village, on=on, reason=reason
        ),
    )
    return run_record(user=user, kind=BulkKind.TRANSFER, items=items, summary={"to_village": to_village.code})


def selection_recorded(*, user: User, kind: str, children: list[Child], refused: Refused) -> BulkRun:
    """An export or a print of a selection: which children went into the file (the access log has a row for each,
    written by the gate) and which were refused."""
    items = _refused_items(refused) + [BulkItem(child_ref=c.pk, status=ItemStatus.DONE) for c in children]
    return run_record(user=user, kind=kind, items=items)


# --- Reassignment on a director's departure ---------------------------------------------------------------------

REASSIGN_ROLES = {Role.SUPERVISOR, Role.CIVIL_AFFAIRS}


def can_reassign(user: User) -> bool:
    return user.is_active and (user.is_administrator or user.role in REASSIGN_ROLES)


def directors_serving(villages: QuerySet[Area] | list[Area], *, active_only: bool = True) -> QuerySet[User]:
    """Directors serving at least one of these villages: active ones, or (`active_only=False`) also those whose
    account is already disabled (a director who has left, whose work is still in their name)."""
    qs = User.objects.filter(role=Role.DIRECTOR, areas__in=villages)
    return (qs.filter(is_active=True) if active_only else qs).distinct()


def _require_serving(director: User, villages: list[Area], field: str, message: str) -> None:
    """Refuse unless the director serves every one of the villages (`message` names the director and the others)."""
    served = set(director.areas.filter(pk__in=[v.pk for v in villages]).values_list("pk", flat=True))
    missing = [v.name for v in villages if v.pk not in served]
    if missing:
        raise ValidationError({field: message % {"name": director, "villages": "、".join(missing)}})


def _check_reassign(user: User, villages: list[Area], leaving: User, receiving: User) -> None:
    if not can_reassign(user):
        raise PermissionDenied(_("Only the supervisor or civil-affairs staff of the area hand over a director's work."))
    if not villages:
        raise ValidationError({"village": _("The leaving director serves no village of your area.")})
    for village in villages:
        if village.level != AreaLevel.VILLAGE or not access.in_user_areas(user, village.code):
            raise ValidationError({"village": _("Choose a village within your own area.")})
    if leaving.pk == receiving.pk:
        raise ValidationError({"receiving": _("Choose another director to take over.")})
    if leaving.role != Role.DIRECTOR:
        raise ValidationError({"leaving": _("Choose a child director.")})
    _require_serving(leaving, villages, "village", _("%(name)s does not serve %(villages)s."))
    if receiving.role != Role.DIRECTOR or not receiving.is_active:
        raise ValidationError({"receiving": _("The receiving director must be an active child director.")})
    _require_serving(
        receiving,
        villages,
        "receiving",
        _("%(name)s does not serve %(villages)s: add the village to their areas first."),
    )


def _handed(objs: list, field: str, receiving: User) -> list:
    for obj in objs:
        setattr(obj, field, receiving)
    return objs


@transaction.atomic
def reassign(*, user: User, villages: list[Area], leaving: User, receiving: User, release: bool) -> BulkRun:
    """Hand over a leaving director's work in these villages to another director who serves them: the open
    follow-ups (case conferences, visits), the open help-plan measures they carry out, the open help plans they
    answer for, and the open candidates of outside lists assigned to them; with `release`, the villages leave the
    leaving director's areas (their children, visit schedules and reminders are then the receiving director's
    alone: a village's children are its directors', children.access). Set-based: the number of queries does not
    grow with the records handed over. Each record's history (simple-history) names the user and the reason; a
    follow-up, which has no history of its own, is recorded in the run's items."""
    _check_reassign(user, villages, leaving, receiving)
    codes = [v.pk for v in villages]
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Handed over from %(from)s to %(to)s") % {"from": leaving, "to": receiving}
    items: list[BulkItem] = []

    follow_ups = list(
        FollowUp.objects.select_for_update()
        .filter(owner=leaving, done_on__isnull=True, child__village__in=codes)
        .values_list("pk", "child_id")
    )
    FollowUp.objects.filter(pk__in=[pk for pk, _c in follow_ups]).update(owner=receiving)
    items += [BulkItem(child_ref=c, record=f"follow_up:{pk}", status=ItemStatus.DONE) for pk, c in follow_ups]

    measures = list(
        Measure.objects.select_for_update(of=("self",))
        .filter(
            owner=leaving,
            owner_kind=OwnerKind.STAFF,
            done_on__isnull=True,
            plan__status=PlanStatus.OPEN,
            plan__child__village__in=codes,
        )
        .select_related("plan")
    )
    bulk_update_with_history(
        _handed(measures, "owner", receiving), Measure, ["owner"], default_user=user, default_change_reason=note
    )
    items += [BulkItem(child_ref=m.plan.child_id, record=f"measure:{m.pk}", status=ItemStatus.DONE) for m in measures]

    plans = list(
        HelpPlan.objects.select_for_update().filter(lead=leaving, status=PlanStatus.OPEN, child__village__in=codes)
    )
    bulk_update_with_history(
        _handed(plans, "lead", receiving), HelpPlan, ["lead"], default_user=user, default_change_reason=note
    )
    items += [BulkItem(child_ref=p.child_id, record=f"plan:{p.pk}", status=ItemStatus.DONE) for p in plans]

    rows = list(
        ListRow.objects.select_for_update().filter(assigned_to=leaving, outcome=Outcome.OPEN, village__in=codes)
    )
    bulk_update_with_history(
        _handed(rows, "assigned_to", receiving), ListRow, ["assigned_to"], default_user=user, default_change_reason=note
    )
    # A candidate is not (yet) a child: its archive number is 0 and its record names the list row.
    items += [BulkItem(child_ref=r.child_id or 0, record=f"candidate:{r.pk}", status=ItemStatus.DONE) for r in rows]

    if release:
        leaving.areas.remove(*villages)
    run = run_record(
        user=user,
        kind=BulkKind.REASSIGN,
        items=items,
        summary={"villages": codes, "from": leaving.pk, "to": receiving.pk, "released": release},
    )
    with translation.override(settings.LANGUAGE_CODE):
        Notification.objects.bulk_create(
            [
                Notification(
                    user=receiving,
                    key=f"bulk-reassign:{run.pk}",
                    title=(
                        _("%(n)d open items of %(from)s handed over to you (%(villages)s)")
                        % {"n": len(items), "from": leaving, "villages": "、".join(v.name for v in villages)}
                    )[:200],
                    url=reverse("home"),
                )
            ],
            ignore_conflicts=True,
        )
    return run
