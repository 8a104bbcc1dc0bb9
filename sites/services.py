"""Writes of the sites. Who may do what:

- civil-affairs staff and supervisors whose areas contain the site register it, change its status and its staff;
- those and the child directors of the village record the opening days of a children's home (a director of a
  village records its home's openings; a workstation's are recorded by its township's supervisor or the county).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AreaLevel, Role, User
from children import access

from .models import Site, SiteKind, SiteOpening, SiteStaff, SiteStatus

KIND_LEVEL = {SiteKind.CHILDREN_HOME: AreaLevel.VILLAGE, SiteKind.WORKSTATION: AreaLevel.TOWNSHIP}
MANAGERS = {Role.CIVIL_AFFAIRS, Role.SUPERVISOR}


def _covers(user: User, code: str) -> bool:
    return (
        user.is_authenticated
        and (user.is_administrator or user.role in access.AREA_ROLES)
        and (access.in_user_areas(user, code))
    )


def may_manage(user: User, site: Site) -> bool:
    return _covers(user, site.area_id) and (user.is_administrator or user.role in MANAGERS)


def may_record_openings(user: User, site: Site) -> bool:
    return _covers(user, site.area_id)


def _require_manage(user: User, site: Site) -> None:
    if not may_manage(user, site):
        raise PermissionDenied(_("Only civil-affairs staff and supervisors of this area may change this site."))


@transaction.atomic
def site_save(*, user: User, site: Site, today: datetime.date | None = None) -> Site:
    """Register a site or change it (status, dates, address…); its history is kept."""
    today = today or timezone.localdate()
    if site.area_id is None or not _covers(user, site.area_id) or not (user.is_administrator or user.role in MANAGERS):
        raise PermissionDenied(_("Only civil-affairs staff and supervisors of this area may change this site."))
    expected = KIND_LEVEL[SiteKind(site.kind)]
    if site.area.level != expected:
        raise ValidationError({"area": _("A children's home is in a village; a workstation is in a township.")})
    for field in ("built_on", "operating_since"):
        value = getattr(site, field)
        if value is not None and value > today:
            raise ValidationError({field: _("This date cannot be in the future.")})
    if site.status == SiteStatus.OPERATING and site.operating_since is None:
        raise ValidationError({"operating_since": _("Give the date the site went into operation.")})
    if site.built_on and site.operating_since and site.operating_since < site.built_on:
        raise ValidationError({"operating_since": _("A site cannot operate before it was built.")})
    if site.pk is None:
        site.created_by = user
        if Site.objects.filter(area_id=site.area_id, kind=site.kind).exists():
            raise ValidationError({"area": _("This area already has a site of this kind.")})
    site.full_clean(exclude=["created_by"])
    site.save()
    return site


@transaction.atomic
def staff_add(*, user: User, site: Site, staff: SiteStaff) -> SiteStaff:
    _require_manage(user, site)
    staff.site = site
    if staff.user_id is not None and not staff.name:
        staff.name = staff.user.get_full_name() or staff.user.username
    staff.full_clean(exclude=["site"])
    staff.save()
    return staff


@transaction.atomic
def staff_end(*, user: User, staff: SiteStaff, until: datetime.date) -> SiteStaff:
    """Someone leaves the site: recorded, not deleted."""
    staff = SiteStaff.objects.select_for_update().select_related("site").get(pk=staff.pk)
    _require_manage(user, staff.site)
    if staff.until is not None:
        raise ValidationError(_("This person has already left the site."))
    if until < staff.since:
        raise ValidationError({"until": _("The end cannot be before the start.")})
    staff.until = until
    staff.save()
    return staff


@transaction.atomic
def opening_record(*, user: User, site: Site, opening: SiteOpening, today: datetime.date | None = None) -> SiteOpening:
    today = today or timezone.localdate()
    if not may_record_openings(user, site):
        raise PermissionDenied(_("You may record openings only of sites in your own areas."))
    if opening.date > today:
        raise ValidationError({"date": _("This date cannot be in the future.")})
    if site.status != SiteStatus.OPERATING:
        raise ValidationError(_("Only a site in operation records opening days: change its status first."))
    opening.site = site
    opening.recorded_by = user
    opening.full_clean(exclude=["site", "recorded_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            opening.save()
    except IntegrityError:
        raise ValidationError({"date": _("This day is already recorded for this site.")}) from None
    return opening
