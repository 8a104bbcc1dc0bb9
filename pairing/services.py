"""Writes of pairing/: the registries (civil affairs), pairings (area staff of the child) and contacts (area
staff of the child, or the helper's department through its liaison)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AreaLevel, User, enclosing_code
from children import access
from children.models import Child

from . import rules, selectors
from .models import Helper, Organisation, Pairing, PairingContact


def _check_registry(user: User, county_code: str) -> None:
    if not selectors.keeps_registry(user) or not access.in_user_areas(user, county_code):
        raise PermissionDenied(_("Only civil affairs of the county keep this registry."))


@transaction.atomic
def helper_save(*, user: User, helper: Helper) -> Helper:
    """Register a helper or change the registry row (ending it is setting `to_on`; nothing is deleted)."""
    if helper.pk:
        before = Helper.objects.select_for_update().get(pk=helper.pk)
        _check_registry(user, before.county_id)
    _check_registry(user, helper.county_id)
    if helper.created_by_id is None:
        helper.created_by = user
    helper.full_clean()
    helper.save()
    return helper


@transaction.atomic
def organisation_save(*, user: User, organisation: Organisation) -> Organisation:
    """Register a social organisation or change its row (ending it is setting `to_on`)."""
    if organisation.pk:
        before = Organisation.objects.select_for_update().get(pk=organisation.pk)
        _check_registry(user, before.county_id)
    _check_registry(user, organisation.county_id)
    organisation.registration_number = organisation.registration_number.strip().upper()
    if not rules.credit_code_ok(organisation.registration_number):
        raise ValidationError(
            {"registration_number": _("This is not a valid unified social credit code (18 characters).")}
        )
    clash = Organisation.objects.filter(registration_number=organisation.registration_number)
    if clash.exclude(pk=organisation.pk).exists():
        raise ValidationError({"registration_number": _("An organisation with this code is already registered.")})
    if organisation.created_by_id is None:
        organisation.created_by = user
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def pairing_create(*, user: User, child: Child, helper: Helper, from_on: datetime.date, aims: str = "") -> Pairing:
    if not access.can_edit_child(user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if helper.county_id != enclosing_code(child.village_id, AreaLevel.COUNTY):
        raise ValidationError({"helper": _("The helper must be registered in the child's county.")})
    if not rules.serves_on(helper.from_on, helper.to_on, from_on):
        raise ValidationError({"from_on": _("The helper does not serve on that day.")})
    if from_on > timezone.localdate():
        raise ValidationError({"from_on": _("The date cannot be in the future.")})
    if Pairing.objects.filter(child=child, helper=helper, to_on__isnull=True).exists():
        raise ValidationError({"helper": _("The child is already paired with this helper.")})
    pairing = Pairing(child=child, helper=helper, from_on=from_on, aims=aims, created_by=user)
    pairing.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:  # a pairing made at the same moment
        raise ValidationError({"helper": _("The child is already paired with this helper.")}) from None
    return pairing


@transaction.atomic
def pairing_end(*, user: User, pairing: Pairing, to_on: datetime.date) -> Pairing:
    pairing = Pairing.objects.select_for_update().select_related("child").get(pk=pairing.pk)
    if not access.can_edit_child(user, pairing.child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    if pairing.to_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    if to_on < pairing.from_on:
        raise ValidationError({"to_on": _("The end cannot be before the start.")})
    pairing.to_on = to_on
    pairing.save(update_fields=["to_on"])
    return pairing


@transaction.atomic
def contact_record(
    *, user: User, pairing: Pairing, contacted_on: datetime.date, kind: str, summary: str
) -> PairingContact:
    """One contact of the helper with the child; the pairing's `last_contact_on` follows the latest contact."""
    pairing = Pairing.objects.select_for_update().select_related("child", "helper").get(pk=pairing.pk)
    if not selectors.can_record_contact(user, pairing):
        raise PermissionDenied(_("Only the child's director or the helper's department records contacts."))
    if pairing.to_on is not None:
        raise ValidationError(_("This pairing has ended."))
    if contacted_on > timezone.localdate():
        raise ValidationError({"contacted_on": _("The date cannot be in the future.")})
    if contacted_on < pairing.from_on:
        raise ValidationError({"contacted_on": _("The contact cannot be before the pairing began.")})
    contact = PairingContact(pairing=pairing, contacted_on=contacted_on, kind=kind, summary=summary, recorded_by=user)
    contact.full_clean()
    contact.save()
    Pairing.objects.filter(pk=pairing.pk).filter(
        Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=contacted_on)
    ).update(last_contact_on=contacted_on)
    return contact
