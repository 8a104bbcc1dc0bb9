"""Reads of pairing/, already scoped to the user through children.access."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.areas import ancestor_prefixes
from accounts.models import PREFIX_LENGTH, Area, AreaLevel, Role, User, enclosing_code
from children import access
from children.models import ArchiveStatus

from . import rules
from .models import Helper, Organisation, Pairing, PairingContact

REGISTRY_ROLES = {Role.CIVIL_AFFAIRS}


def keeps_registry(user: User) -> bool:
    """Civil affairs (county, city, province) keep the registries of helpers and organisations of their areas."""
    return user.is_administrator or (user.is_authenticated and user.role in REGISTRY_ROLES)


def _counties_q(user: User, field: str) -> Q:
    """Rows whose county (`field`, an area code) lies within the user's areas."""
    return access.in_areas_q(user, field)


def helpers_for(user: User) -> QuerySet[Helper]:
    """The registry rows a user reads: civil affairs those of the counties of their areas; a liaison their own
    department's helpers."""
    if user.role == Role.LIAISON and not user.is_administrator:
        q = Q(department_id=user.department_id or -1)
    else:
        q = _counties_q(user, "county__code")
    return Helper.objects.filter(q).select_related("county", "department")


def organisations_for(user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(_counties_q(user, "county__code")).select_related("county")


def helpers_for_child(child, today: datetime.date) -> QuerySet[Helper]:
    """The helpers a child may be paired with: registered in the child's county and serving today."""
    county = enclosing_code(child.village_id, AreaLevel.COUNTY)
    return (
        Helper.objects.filter(county_id=county, from_on__lte=today)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=today))
        .select_related("department")
        .order_by("name", "pk")
    )


def referral_organisations(area_code: str, today: datetime.date) -> QuerySet[Organisation]:
    """The organisations a child of `area_code` may be referred to: those registered in the child's county, or in
    the city above it, serving today. The rule's one home: the referral form offers these, the service takes no
    other."""
    prefixes = [p for p in ancestor_prefixes(area_code) if PREFIX_LENGTH["city"] <= len(p) <= PREFIX_LENGTH["county"]]
    return (
        Organisation.objects.filter(county__prefix__in=prefixes, from_on__lte=today)
        .filter(Q(to_on__isnull=True) | Q(to_on__gte=today))
        .select_related("county")
        .order_by("county_id", "name")
    )


def pairings_for(user: User) -> QuerySet[Pairing]:
    """The pairings a user reads: those of the children whose archive they read; for a liaison, those of their
    department's helpers (to record contacts), not the children's archives."""
    if user.role == Role.LIAISON and not user.is_administrator:
        q = Q(helper__department_id=user.department_id or -1)
    else:
        q = access.scope_q(user, village_field="child__village__code", child_field="child_id") or Q()
    return Pairing.objects.filter(q).select_related("child__village", "helper__department")


def can_record_contact(user: User, pairing: Pairing) -> bool:
    """The child's director (or other area staff who change the archive), or a liaison of the helper's department."""
    if user.role == Role.LIAISON and not user.is_administrator:
        return user.department_id is not None and user.department_id == pairing.helper.department_id
    return access.can_edit_child(user, pairing.child)


def quiet_q(*, today: datetime.date, days: int) -> Q:
    """Current pairings of open archives with no contact for more than `days` days (pairing.rules.without_contact,
    as SQL on the index of current pairings): the list's filter and the daily reminder's (pairing.reminders)."""
    cutoff = rules.quiet_cutoff(today, days)
    quiet = Q(last_contact_on__lt=cutoff) | Q(last_contact_on__isnull=True, from_on__lt=cutoff)
    return quiet & Q(to_on__isnull=True, child__status=ArchiveStatus.OPEN)


def quiet_pairings_for(user: User, *, today: datetime.date, days: int) -> QuerySet[Pairing]:
    """The user's quiet pairings (`quiet_q`), the quietest first; one query."""
    return pairings_for(user).filter(quiet_q(today=today, days=days)).order_by("last_contact_on", "from_on", "pk")


def contacts_of(pairing: Pairing) -> QuerySet[PairingContact]:
    return pairing.contacts.select_related("recorded_by")


def counties_without_fostering(user: User, *, year: int) -> QuerySet[Area]:
    """The counties of the user's areas that fostered no child-welfare organisation in `year` (000 #52), with how
    many they have in all; one query."""
    fostered = Organisation.objects.filter(county=OuterRef("pk"), child_welfare=True, from_on__year=year)
    counties = Area.objects.filter(level=AreaLevel.COUNTY).filter(access.in_areas_q(user, "code"))
    return (
        counties.exclude(Exists(fostered))
        .annotate(organisation_count=Count("organisations", filter=Q(organisations__child_welfare=True)))
        .select_related("parent")
        .order_by("code")
    )
