"""Interventions and case conferences (个案会商) with their follow-up actions."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import User
from children import access
from children.models import Child
from children.uploads import check_upload_for

from .models import CaseConference, FollowUp, Intervention, InterventionKind

DOCUMENT_KINDS = {"pdf", "jpeg", "png"}


def _require_edit(user: User, child: Child) -> None:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))


@transaction.atomic
def intervention_create(*, user: User, child: Child, intervention: Intervention, document=None) -> Intervention:
    _require_edit(user, child)
    temporary = intervention.kind == InterventionKind.TEMPORARY_GUARDIANSHIP
    if temporary and not intervention.placement:
        raise ValidationError({"placement": _("Temporary guardianship needs a placement.")})
    if not temporary:
        intervention.placement = ""
    if intervention.issued_on > timezone.localdate():
        raise ValidationError({"issued_on": _("This date cannot be in the future.")})
    if intervention.ends_on and intervention.ends_on < intervention.issued_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    if document:
        check_upload_for("document", document, kinds=DOCUMENT_KINDS)
        intervention.document = document
    intervention.child = child
    intervention.created_by = user
    intervention.full_clean()
    intervention.save()
    return intervention


def possible_owners(child: Child) -> QuerySet[User]:
    """Staff whose area covers the child: its directors, supervisors and civil affairs up to the province."""
    prefixes = ancestor_prefixes(child.village_id)
    return User.objects.filter(is_active=True, areas__prefix__in=prefixes).distinct().order_by("role", "last_name")


@transaction.atomic
def conference_create(
    *,
    user: User,
    child: Child,
    held_on: datetime.date,
    participants: str,
    summary: str,
    decisions: list[tuple[str, User, datetime.date]],
) -> CaseConference:
    _require_edit(user, child)
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("This date cannot be in the future.")})
    allowed = set(possible_owners(child).values_list("pk", flat=True))
    for _text, owner, due_on in decisions:
        if owner.pk not in allowed:
            raise ValidationError(_("%(name)s does not work in this child's area.") % {"name": owner})
        if due_on < held_on:
            raise ValidationError(_("A follow-up cannot be due before the conference."))
    conference = CaseConference.objects.create(
        child=child, held_on=held_on, participants=participants, summary=summary, created_by=user
    )
    FollowUp.objects.bulk_create(
        [
            FollowUp(conference=conference, description=text, owner=owner, due_on=due_on)
            for text, owner, due_on in decisions
        ]
    )
    return conference


def open_follow_ups_for(user: User) -> QuerySet[FollowUp]:
    """The user's own open follow-up actions, on children they still may see (shown in their worklist)."""
    return (
        FollowUp.objects.filter(owner=user, done_on__isnull=True)
        .filter(Q(conference__child__in=access.visible_children(user).values("pk")))
        .select_related("conference__child")
        .order_by("due_on")
    )


@transaction.atomic
def follow_up_done(*, user: User, follow_up: FollowUp) -> FollowUp:
    if follow_up.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner marks a follow-up done."))
    follow_up.done_on = timezone.localdate()
    follow_up.save(update_fields=["done_on"])
    return follow_up
