"""Referrals: sending grants the receiving department read access to that one child; closing takes it back."""

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Department, Notification, Role, User
from children import access
from children.models import Child

from . import rules
from .models import Referral, ReferralStatus

if TYPE_CHECKING:
    from pairing.models import Organisation


def department_group(department: Department) -> Group:
    """The department's group, with its current liaisons as members (shares go to the group, not to people)."""
    group, _created = Group.objects.get_or_create(name=f"department:{department.pk}")
    group.user_set.add(*User.objects.filter(department=department, role=Role.LIAISON))
    return group


@transaction.atomic
def referral_send(
    *,
    user: User,
    child: Child,
    service: str,
    reason: str,
    due_on: datetime.date,
    department: Department | None = None,
    organisation: "Organisation | None" = None,
) -> Referral:
    """Refer a child to a department (its liaisons then see the child) or to a social organisation or social-work
    agency of the child's county or city (pairing.selectors.referral_organisations; its progress is recorded by the
    county's civil affairs)."""
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if (department is None) == (organisation is None):
        raise ValidationError(_("Choose a department or an organisation to refer to (one of the two)."))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("The due date cannot be in the past.")})
    if organisation is not None:
        return _refer_to_organisation(
            user=user, child=child, organisation=organisation, service=service, reason=reason, due_on=due_on
        )
    from .reports import handling_departments

    if not handling_departments(child.village_id).filter(pk=department.pk).exists():
        raise ValidationError(
            {
                "department": _(
                    "A referral can only go to a department of the child's county, or of the city or province above it."
                )
            }
        )
    referral = Referral(child=child, department=department, service=service, reason=reason, due_on=due_on, sent_by=user)
    referral.full_clean()
    referral.save()
    assign_perm(access.VIEW_PERMISSION, department_group(department), child)
    with translation.override(settings.LANGUAGE_CODE):
        Notification.objects.bulk_create(
            [
                Notification(
                    user_id=pk,
                    key=f"referral:{referral.pk}",
                    url=reverse("guardianship:referral", args=[referral.pk]),
                    title=_("New referral: %(service)s, due %(date)s")
                    % {"service": referral.get_service_display(), "date": due_on.isoformat()},
                )
                for pk in User.objects.filter(department=department, role=Role.LIAISON, is_active=True).values_list(
                    "pk", flat=True
                )
            ],
            ignore_conflicts=True,
        )
    return referral


def _refer_to_organisation(
    *, user: User, child: Child, organisation: "Organisation", service: str, reason: str, due_on: datetime.date
) -> Referral:
    from pairing.selectors import referral_organisations

    if not referral_organisations(child.village_id, timezone.localdate()).filter(pk=organisation.pk).exists():
        raise ValidationError(
            {
                "organisation": _(
                    "A referral can only go to an organisation serving now in the child's county or the city above it."
                )
            }
        )
    referral = Referral(
        child=child, organisation=organisation, service=service, reason=reason, due_on=due_on, sent_by=user
    )
    referral.full_clean()
    referral.save()
    return referral


def referrals_for(user: User):
    """The referrals a user reads: those of the children whose archive they read, or, for a liaison, their
    department's inbox (not other departments' referrals of the same child). The list page and the API read this."""
    from django.db.models import Q

    q = Q(child__in=access.visible_children(user).values("pk"))
    if user.role == Role.LIAISON:
        q = Q(department_id=user.department_id or -1)
    return Referral.objects.filter(q).select_related("child", "department", "organisation", "sent_by")


def can_act(user: User, referral: Referral) -> bool:
    """The receiving department's liaisons; for an organisation (which has no accounts), civil affairs of its
    county (or above) record what the organisation reports."""
    if user.is_administrator:
        return True
    if referral.organisation_id is not None:
        return user.role == Role.CIVIL_AFFAIRS and access.in_user_areas(user, referral.organisation.county_id)
    return user.department_id is not None and user.department_id == referral.department_id


@transaction.atomic
def referral_move(*, user: User, referral: Referral, status: str, note: str = "") -> Referral:
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not can_act(user, referral):
        raise PermissionDenied(_("Only the receiving department can update this referral."))
    if not rules.referral_can_move(referral.status, status):
        raise ValidationError(
            _("A referral that is “%(now)s” cannot become “%(new)s”.")
            % {"now": referral.get_status_display(), "new": ReferralStatus(status).label}
        )
    if status == ReferralStatus.DECLINED:
        if not note.strip():
            raise ValidationError({"note": _("Give the reason for declining.")})
        referral.decline_reason = note
    elif note:
        referral.result = note
    referral.status = status
    if not referral.is_open:
        referral.closed_at = timezone.now()
    referral.save()
    if not referral.is_open and referral.department_id is not None:
        still_open = (
            Referral.objects.filter(child=referral.child, department=referral.department)
            .exclude(status__in=[ReferralStatus.DONE, ReferralStatus.DECLINED])
            .exists()
        )
        if not still_open:
            remove_perm(access.VIEW_PERMISSION, department_group(referral.department), referral.child)
    return referral
