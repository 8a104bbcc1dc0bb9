"""Writes of visits and screening confirmations. Each keeps the affected schedules current."""

import datetime
import functools
import uuid
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Area, Notification, Role, User
from approvals.models import Approval
from children import access
from children.models import ArchiveStatus, Child, ChildCategory
from children.services import bump_version
from children.uploads import check_upload_for

from . import rules, schedule, screening
from .models import (
    CategoryEndProposal,
    ProposalStatus,
    Rating,
    ScreeningCampaign,
    ScreeningConfirmation,
    Visit,
    VisitPhoto,
)

PHOTO_KINDS = {"jpeg", "png"}
MAX_PHOTOS = 9


def _check_can_visit(user: User, child: Child) -> None:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not record visits for it."))
    if child.status != ArchiveStatus.OPEN:
        raise ValidationError(_("This archive is closed; visits can no longer be recorded."))


def _check_when(visited_at: datetime.datetime, child: Child) -> None:
    when = timezone.localtime(visited_at)  # Asia/Shanghai: the date the visit rules count
    if rules.is_in_future(when, timezone.localtime()):
        raise ValidationError({"visited_at": _("The visit time cannot be in the future.")})
    if when.date() < child.birth_date:
        raise ValidationError({"visited_at": _("The visit cannot be before the child was born.")})


def _check_content(visit: Visit) -> None:
    """The least a visit of its kind must say (visits.rules.REQUIRED_FIELDS), one message per blank field."""
    missing = rules.missing_fields(visit.kind, {name: getattr(visit, name) for name in rules.REQUIRED_MESSAGES})
    if missing:
        raise ValidationError({name: rules.REQUIRED_MESSAGES[name] for name in missing})


def _check_caregiver(visit: Visit) -> None:
    if visit.caregiver_unable and visit.caregiver_status == Rating.GOOD:
        raise ValidationError({"caregiver_status": _("A caregiver who cannot look after the child is not doing well.")})
    if visit.caregiver_unable and not visit.caregiver_status:
        visit.caregiver_status = Rating.POOR


def _open_follow_ups(visits: Iterable[Visit], user: User) -> None:
    """What a visit's findings open elsewhere: a caregiver unable to care gives its recorder a follow-up."""
    from guardianship.casework import caregiver_follow_up_open

    for visit in visits:
        caregiver_follow_up_open(visit=visit, owner=user)


def _check_photos(photos: Sequence) -> None:
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("At most %(n)d photos per visit.") % {"n": MAX_PHOTOS}})
    for photo in photos:
        check_upload_for("photos", photo, kinds=PHOTO_KINDS)


@transaction.atomic
def visit_create(
    *, user: User, child: Child, visit: Visit, household: Iterable[Child] = (), photos: Sequence = ()
) -> list[Visit]:
    """Record a visit to a child, and the same visit to other children of the household (one row each)."""
    children = [child, *[c for c in household if c.pk != child.pk]]
    for c in children:
        _check_can_visit(user, c)
    _check_when(visit.visited_at, child)
    _check_caregiver(visit)
    _check_content(visit)
    _check_photos(photos)
    key = uuid.uuid4().hex if len(children) > 1 else ""
    made = []
    for c in children:
        row = Visit(**{f.attname: getattr(visit, f.attname) for f in Visit._meta.concrete_fields if f.attname != "id"})
        row.child = c
        row.visit_date = timezone.localtime(row.visited_at).date()
        row.household_key = key
        row.created_by = user
        row.full_clean(exclude=["child", "created_by"])  # both set here from checked objects: no lookups
        row.save()
        for photo in photos:
            photo.seek(0)
            VisitPhoto.objects.create(visit=row, image=photo)
        made.append(row)
    schedule.refresh(child_ids=[c.pk for c in children])
    _open_follow_ups(made, user)
    return made


@transaction.atomic
def visit_update(*, user: User, visit: Visit, photos: Sequence = (), expected_version: int | None = None) -> Visit:
    """Edit a visit; django-simple-history keeps the earlier version, and the entry time never changes.

    With `expected_version` (the visit's version when the form was opened) the save is refused if someone else
    saved the visit in between: one conditional UPDATE, whose row lock also holds back a concurrent edit until this
    transaction ends."""
    _check_can_visit(user, visit.child)
    _check_when(visit.visited_at, visit.child)
    _check_caregiver(visit)
    _check_content(visit)
    _check_photos(photos)
    visit.visit_date = timezone.localtime(visit.visited_at).date()
    visit.full_clean()
    bump_version(
        visit,
        expected_version,
        _(
            "Someone else changed this visit record after you opened it. Reload the page, check their "
            "changes and enter yours again."
        ),
    )
    visit.save()
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo)
    schedule.refresh(child_ids=[visit.child_id])
    _open_follow_ups([visit], user)
    return visit


def may_record_no_report(user: User, child: Child) -> bool:
    """The child's director (who made or answers for the visit) decides that harm found needs no report."""
    return (user.role == Role.DIRECTOR or user.is_administrator) and access.can_edit_child(user, child)


@transaction.atomic
def visit_no_report(*, user: User, visit: Visit, reason: str) -> Visit:
    """The director records why a visit that found harm needs no mandatory report; kept on the visit (with who and
    when, and in its history) and shown in the archive. The visit then leaves the unreported-harm lists."""
    from guardianship.harm import is_unanswered

    if not may_record_no_report(user, visit.child):
        raise PermissionDenied(_("Only the child's director records why no report is needed."))
    visit = Visit.objects.select_for_update().select_related("child").get(pk=visit.pk)
    if not visit.harm_found:
        raise ValidationError(_("This visit found no harm."))
    if not is_unanswered(visit):
        raise ValidationError(_("This visit is already answered by a report or a recorded reason."))
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why in a sentence or two (at least 10 characters).")})
    visit.no_report_reason = reason
    visit.no_report_by = user
    visit.no_report_at = timezone.now()
    visit.save(update_fields=["no_report_reason", "no_report_by", "no_report_at"])
    return visit


@transaction.atomic
def campaign_create(
    *, user: User, name: str, area: Area, starts_on: datetime.date, deadline: datetime.date
) -> ScreeningCampaign:
    if not (user.is_administrator or access.in_user_areas(user, area.code)) or user.role == "director":
        raise PermissionDenied(_("Only civil-affairs staff of this area can start a screening."))
    if deadline < starts_on:
        raise ValidationError({"deadline": _("The deadline cannot be before the start.")})
    campaign = ScreeningCampaign(name=name, area=area, starts_on=starts_on, deadline=deadline, created_by=user)
    campaign.full_clean()
    campaign.save()
    # Every director of the area, by the worker once the campaign is committed (a province: tens of thousands).
    transaction.on_commit(functools.partial(screening.queue_launch_notices, campaign.pk))
    return campaign


@transaction.atomic
def screening_confirm(
    *, user: User, campaign: ScreeningCampaign, child: Child, still_eligible: bool, data_current: bool, note: str = ""
) -> ScreeningConfirmation:
    _check_can_visit(user, child)
    if not child.village_id.startswith(campaign.area.prefix):
        raise ValidationError(_("This child is not in the screening's area."))
    if timezone.localdate() < campaign.starts_on:
        raise ValidationError(_("This screening has not started yet."))
    if ScreeningConfirmation.objects.filter(campaign=campaign, child=child).exists():
        raise ValidationError(_("This child has already been confirmed in this screening."))
    confirmation = ScreeningConfirmation.objects.create(
        campaign=campaign,
        child=child,
        still_eligible=still_eligible,
        data_current=data_current,
        note=note,
        confirmed_by=user,
    )
    if not still_eligible:
        _propose_category_end(confirmation)
    return confirmation


def _propose_category_end(confirmation: ScreeningConfirmation) -> CategoryEndProposal | None:
    """A child confirmed as no longer eligible: propose ending its current categories, and tell the child's directors.
    Nothing in the archive changes until a director confirms (proposal_confirm) or dismisses it (proposal_dismiss)."""
    child = confirmation.child
    current = list(
        ChildCategory.objects.filter(child=child, ended_on__isnull=True)
        .order_by("id")
        .values_list("category", flat=True)
    )
    if not current:
        return None
    proposal = CategoryEndProposal.objects.create(confirmation=confirmation, child=child, categories=",".join(current))
    directors = User.objects.filter(role=Role.DIRECTOR, is_active=True, areas=child.village_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("A screening found %(name)s no longer eligible: confirm or dismiss ending the categories") % {
            "name": child.name
        }
        url = reverse("visits:proposal", args=[child.pk, proposal.pk])
    Notification.objects.bulk_create(
        [Notification(user=u, key=f"category-end-proposal:{proposal.pk}", title=title, url=url) for u in directors],
        ignore_conflicts=True,
    )
    return proposal


def may_decide_proposal(user: User, child: Child) -> bool:
    """The child's director decides (as for any change of categories an outside fact proposes)."""
    return (user.role == Role.DIRECTOR or user.is_administrator) and access.can_edit_child(user, child)


def _open_proposal(user: User, proposal: CategoryEndProposal) -> CategoryEndProposal:
    if not may_decide_proposal(user, proposal.child):
        raise PermissionDenied(_("Only the child's director confirms or dismisses this proposal."))
    locked = CategoryEndProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal to end categories has already been decided."))
    locked.child = proposal.child
    return locked


SCREENING_CATEGORY_END = "screening_category_end"


PROPOSAL_SUBJECT = "screening-proposal:"  # + the proposal's id (visits.selectors.proposals_for matches it in SQL)


def proposal_subject(proposal_pk: int) -> str:
    """The approval subject of ending a proposal's categories: one request waits per proposal."""
    return f"{PROPOSAL_SUBJECT}{proposal_pk}"


@transaction.atomic
def proposal_confirm(
    *, user: User, proposal: CategoryEndProposal, categories: Iterable[str], ended_on: datetime.date
) -> Approval | None:
    """The director confirms ending the chosen categories of the proposal. A change of categories: it goes through
    approvals.services.request_or_apply like a director's own category change (kind SCREENING_CATEGORY_END,
    registered in visits.apps): applied at once where the child's region lets this user act directly (None),
    otherwise a request for the approver (returned), and nothing changes until it is approved."""
    from approvals.services import request_or_apply

    proposal = _open_proposal(user, proposal)
    chosen = [c for c in categories if c in proposal.category_codes]
    if not chosen:
        raise ValidationError({"categories": _("Choose at least one category to end, or dismiss the proposal.")})
    return request_or_apply(
        kind=SCREENING_CATEGORY_END,
        child=proposal.child,
        user=user,
        payload={"proposal": proposal.pk, "categories": chosen, "ended_on": ended_on},
        reason=proposal.confirmation.note,
    )


@transaction.atomic
def proposal_apply(
    *, user: User, child: Child, proposal_pk: int, categories: Iterable[str], ended_on: datetime.date
) -> CategoryEndProposal:
    """End the chosen categories of the proposal (those still current) through children.services.category_end and
    mark it confirmed: the approvable change, run by the director acting directly or by the approver approving."""
    from children.services import category_end

    proposal = CategoryEndProposal.objects.select_for_update().filter(child=child, pk=proposal_pk).first()
    if proposal is None:
        raise ValidationError(_("This proposal is no longer in the archive."))
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("This proposal to end categories has already been decided."))
    chosen = [c for c in categories if c in proposal.category_codes]
    if not chosen:
        raise ValidationError({"categories": _("Choose at least one category to end, or dismiss the proposal.")})
    items = ChildCategory.objects.filter(child=child, category__in=chosen, ended_on__isnull=True)
    for item in items:
        item.child = child
        category_end(user=user, item=item, ended_on=ended_on)
    proposal.status = ProposalStatus.CONFIRMED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


@transaction.atomic
def proposal_dismiss(*, user: User, proposal: CategoryEndProposal, reason: str) -> CategoryEndProposal:
    """Keep the categories; the reason is kept on the proposal (and its history)."""
    proposal = _open_proposal(user, proposal)
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError({"reason": _("Say why in a sentence or two (at least 10 characters).")})
    proposal.status = ProposalStatus.DISMISSED
    proposal.reason = reason
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    return proposal
