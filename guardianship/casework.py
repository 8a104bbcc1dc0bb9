"""Interventions, temporary placements, case conferences (个案会商) and follow-up actions (of conferences, and of
visits that found the caregiver unable to care), and the reviews coming due."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.areas import ancestor_prefixes
from accounts.models import PREFIX_LENGTH, Role, User
from children import access
from children.models import Child
from children.uploads import check_upload_for

from . import rules
from .models import CaseConference, FollowUp, Intervention, InterventionKind, TemporaryPlacement

DOCUMENT_KINDS = {"pdf", "jpeg", "png"}


def _require_edit(user: User, child: Child) -> None:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))


@transaction.atomic
def intervention_create(
    *,
    user: User,
    child: Child,
    intervention: Intervention,
    document=None,
    institution: str = "",
    address: str = "",
) -> Intervention:
    """Record an intervention; temporary guardianship also opens the child's placement (`institution`: with whom or
    in which institution, `address`: where), which then has its own history (`placement_start`)."""
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
    if temporary and not institution.strip():
        raise ValidationError({"institution": _("Say with whom or in which institution the child is placed.")})
    intervention.child = child
    intervention.created_by = user
    intervention.full_clean()
    intervention.save()
    if temporary:
        placement_start(
            user=user,
            child=child,
            intervention=intervention,
            kind=intervention.placement,
            institution=institution,
            address=address,
            from_on=intervention.issued_on,
            review_on=intervention.review_on,
        )
    return intervention


@transaction.atomic
def placement_start(
    *,
    user: User,
    child: Child,
    kind: str,
    institution: str,
    from_on: datetime.date,
    address: str = "",
    review_on: datetime.date | None = None,
    notes: str = "",
    intervention: Intervention | None = None,
) -> TemporaryPlacement:
    """Place the child (temporary guardianship): the current placement, if any, ends the day the new one starts."""
    _require_edit(user, child)
    if from_on > timezone.localdate():
        raise ValidationError({"from_on": _("This date cannot be in the future.")})
    if review_on and review_on < from_on:
        raise ValidationError({"review_on": _("The review cannot be before the placement starts.")})
    current = TemporaryPlacement.objects.select_for_update().filter(child=child, to_on__isnull=True).first()
    if current is not None:
        if from_on < current.from_on:
            raise ValidationError(
                {"from_on": _("The current placement began on %(date)s.") % {"date": current.from_on.isoformat()}}
            )
        current.to_on = from_on
        current.save(update_fields=["to_on"])
        intervention = intervention or current.intervention
    placement = TemporaryPlacement(
        child=child,
        intervention=intervention,
        kind=kind,
        institution=institution,
        address=address,
        from_on=from_on,
        review_on=review_on,
        notes=notes,
        created_by=user,
    )
    placement.full_clean()
    placement.save()
    return placement


@transaction.atomic
def placement_end(*, user: User, placement: TemporaryPlacement, to_on: datetime.date) -> TemporaryPlacement:
    """The child leaves temporary placement (e.g. back with the family, or long-term guardianship)."""
    _require_edit(user, placement.child)
    placement = TemporaryPlacement.objects.select_for_update().get(pk=placement.pk)
    if placement.to_on is not None:
        raise ValidationError(_("This placement has already ended."))
    if to_on < placement.from_on or to_on > timezone.localdate():
        raise ValidationError({"to_on": _("The end must lie between the start and today.")})
    placement.to_on = to_on
    placement.save(update_fields=["to_on"])
    return placement


def county_prefixes(user: User) -> list[str]:
    """The counties a civil-affairs user answers for: reviews are theirs (the county staff of the child's area)."""
    if user.role != Role.CIVIL_AFFAIRS:
        return []
    return [p for p in access.area_prefixes(user) if len(p) == PREFIX_LENGTH["county"]]


def reviews_due_for(user: User, today: datetime.date) -> list:
    """Intervention reviews and placement reviews of the user's counties due within the notice days or missed,
    soonest first (two queries). Each row has `review_on`, `child` and `stage` (rules.review_stage)."""
    prefixes = county_prefixes(user)
    if not prefixes:
        return []
    horizon = today + datetime.timedelta(days=rules.REVIEW_NOTICE_DAYS)
    in_counties = Q(pk__in=[])
    for prefix in prefixes:
        in_counties |= Q(child__village__code__startswith=prefix)
    rows = [
        *Intervention.objects.filter(in_counties, active=True, review_on__lte=horizon).select_related("child"),
        *TemporaryPlacement.objects.filter(in_counties, to_on__isnull=True, review_on__lte=horizon).select_related(
            "child"
        ),
    ]
    for row in rows:
        row.stage = rules.review_stage(row.review_on, today)
    return sorted(rows, key=lambda r: (r.review_on, r.child_id))


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
            FollowUp(conference=conference, child=child, description=text, owner=owner, due_on=due_on)
            for text, owner, due_on in decisions
        ]
    )
    return conference


@transaction.atomic
def caregiver_follow_up_open(*, visit, owner: User) -> FollowUp | None:
    """A visit that found the entrusted caregiver unable to care (`Visit.caregiver_unable`) opens one follow-up for
    whoever recorded it: tell the parents and choose another caregiver (000 #17, 003 §5, 004 §5). Once per visit;
    nothing for a visit without the finding."""
    if not visit.caregiver_unable:
        return None
    existing = FollowUp.objects.filter(visit=visit).first()
    if existing is not None:
        return existing
    with translation.override(settings.LANGUAGE_CODE):  # stored text: in the system's language
        description = _(
            "The caregiver cannot look after the child: tell the parents and choose another caregiver, or help the "
            "caregiver do the duty (000 #17, 003 §5)"
        )
    return FollowUp.objects.create(
        child_id=visit.child_id,
        visit=visit,
        owner=owner,
        description=description[:300],
        due_on=timezone.localtime(visit.visited_at).date() + datetime.timedelta(days=rules.CAREGIVER_FOLLOW_UP_DAYS),
    )


def open_follow_ups_for(user: User) -> QuerySet[FollowUp]:
    """The user's own open follow-up actions, on children they still may see (shown in their worklist)."""
    return (
        FollowUp.objects.filter(owner=user, done_on__isnull=True)
        .filter(child__in=access.visible_children(user).values("pk"))
        .select_related("child")
        .order_by("due_on")
    )


@transaction.atomic
def follow_up_done(*, user: User, follow_up: FollowUp) -> FollowUp:
    if follow_up.owner_id != user.pk:
        raise PermissionDenied(_("Only the owner marks a follow-up done."))
    follow_up.done_on = timezone.localdate()
    follow_up.save(update_fields=["done_on"])
    return follow_up
