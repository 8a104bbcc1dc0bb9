"""Who reads a child's psychological record: need to know, stricter than the archive.

The rule (decided for this system; the seeds only ask to protect the children's personal information, 003 §四(三),
004 §四(三)):

- the area staff whose areas hold the child — the child director of the village (who screens and follows up),
  the township's supervisor and the county's (or city's, province's) civil affairs (who refer and review) — read
  and write it;
- a department liaison reads it (never writes) while their department holds an open referral of the child for
  psychological counselling or treatment (guardianship.Referral, service "psychological": typically the health
  commission); a referral for another service (legal aid, schooling…) does not open it;
- nobody else: not staff of other areas, not a user who reads the archive through another share, not system
  administrators (maintaining the system needs no counselling notes; the Django admin does not list these models).

Every read goes through the gate of children.access (`child_for`) at the level the role needs (EDIT for area
staff: their own areas only; SHARED for a liaison, after the referral check), which answers 404 and writes the
access-log row; a user the rule refuses gets the same 404 as for a child that does not exist, before anything is
logged.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from accounts.models import Role, User
from children import access
from children.models import AccessAction, Child
from guardianship.models import Referral, ReferralStatus, ServiceType

OPEN_REFERRAL = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS]

# The fact code a positive screening writes on its category proposal (children.identification.propose_from_record).
# What it says is itself psychological information: only those who may read the child's psychological record read
# it; anyone else who reads the archive's proposals sees a neutral reason (children.proposal_views.with_labels).
POSITIVE_FACT = "screen:psych_positive"
NEED_TO_KNOW_FACTS = frozenset({POSITIVE_FACT})


def _area_staff(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.role in access.AREA_ROLES and not user.is_superuser


def _referred_to(user: User, child_pk: int) -> bool:
    """The child has an open psychological referral to the liaison's department (one query)."""
    if user.role != Role.LIAISON or user.department_id is None or user.is_superuser:
        return False
    return Referral.objects.filter(
        child_id=child_pk, department_id=user.department_id, service=ServiceType.PSYCHOLOGICAL, status__in=OPEN_REFERRAL
    ).exists()


def may_write(user: User, child: Child) -> bool:
    return _area_staff(user) and access.level_for(user, child) >= access.Level.EDIT


def child_for(request: HttpRequest, child_pk: int | str, *, write: bool = False) -> Child:
    """The child whose psychological record the user may read (`write`: change), through the gate; else 404."""
    user = request.user
    try:
        pk = int(child_pk)
    except (TypeError, ValueError, OverflowError):
        raise Http404(_("No such child.")) from None
    if _area_staff(user):
        try:
            # EDIT is the level the rule needs (the user's own areas), not what this request does: a read logs a view.
            return access.child_for(request, pk, need=access.Level.EDIT, action=None if write else AccessAction.VIEW)
        except PermissionDenied:  # reads the archive through a share, but has no need to know: not there at all
            raise Http404(_("No such child.")) from None
    if not write and _referred_to(user, pk):
        return access.child_for(request, pk, need=access.Level.SHARED)
    raise Http404(_("No such child."))


def children_q(user: User, field: str = "child") -> Q:
    """The rows (of a model with a `field` foreign key to the child) the user reads in lists: area staff their
    areas' children; a liaison those with an open psychological referral to their department; nobody else."""
    if _area_staff(user):
        q = access.scope_q(user, village_field=f"{field}__village__code", child_field=field, level=access.Level.EDIT)
        return Q(pk__in=[]) if q is None else q
    if user.is_authenticated and user.role == Role.LIAISON and user.department_id and not user.is_superuser:
        referred = Referral.objects.filter(
            department_id=user.department_id, service=ServiceType.PSYCHOLOGICAL, status__in=OPEN_REFERRAL
        ).values("child_id")
        return Q(**{f"{field}__in": referred})
    return Q(pk__in=[])


def scoped(user: User, queryset: QuerySet) -> QuerySet:
    return queryset.filter(children_q(user))


def proposals_not_known(user: User, proposals) -> set[int]:
    """Of these category proposals, those giving a need-to-know fact (NEED_TO_KNOW_FACTS) of a child whose
    psychological record the user may not read (the rule of `children_q`): their reason is shown neutral. One
    query, none when no proposal gives such a fact."""
    restricted = {p.pk for p in proposals if NEED_TO_KNOW_FACTS.intersection(p.fact_codes)}
    if not restricted:
        return set()
    from children.models import CategoryProposal

    known = scoped(user, CategoryProposal.objects.filter(pk__in=restricted)).values_list("pk", flat=True)
    return restricted - set(known)
