"""Transfer requests (迁入申请): asking the county that holds a child's archive to transfer the child to us.

When registering finds the child's open archive outside the user's area, the page names only the county
civil-affairs office holding it (children.services.ensure_id_number_free / check_possible_duplicates) and offers a
request, which names the archive by a signed look-up reference, never by ID number or name. The holding county's
civil-affairs staff are notified, and accept (the existing transfer service moves the child, keeping history) or
decline with a reason; the requester is notified either way and may withdraw while the request waits. Nothing is
deleted: every change of a request is in its history.

    transfer_request_create(user=..., token=..., to_village=..., reason=...)   # the requester
    transfer_request_accept(user=..., transfer_request=..., note="")           # holding civil affairs
    transfer_request_decline(user=..., transfer_request=..., note="...")
    transfer_request_withdraw(user=..., transfer_request=...)                  # the requester
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Area, AreaLevel, Notification, Role, User
from accounts.selectors import civil_affairs_over

from . import access, services
from .models import ArchiveStatus, TransferRequest, TransferRequestStatus

# The receiving area's staff who register children may ask for one.
REQUEST_ROLES = access.AREA_ROLES
LIST_ROWS = 200


def can_request(user: User) -> bool:
    return user.is_administrator or user.role in REQUEST_ROLES


def can_decide(user: User, transfer_request: TransferRequest) -> bool:
    """Civil-affairs staff of the area now holding the child (an administrator too) decide."""
    if transfer_request.status != TransferRequestStatus.PENDING:
        return False
    if user.is_administrator:
        return True
    return user.role == Role.CIVIL_AFFAIRS and access.in_user_areas(user, transfer_request.child.village_id)


# --- Reads ------------------------------------------------------------------------------------------------------

RELATED = ("child__village__parent", "requested_by", "to_village__parent", "holding_county", "decided_by")


def _holding_q(user: User) -> Q:
    """Requests for children now in the user's areas, for civil-affairs staff (the holding side)."""
    if user.is_administrator:
        return Q()
    if user.role != Role.CIVIL_AFFAIRS:
        return Q(pk__in=[])
    return access.in_areas_q(user, "child__village__code")


def requests_for(user: User) -> QuerySet[TransferRequest]:
    """Every request the user may open: their own, those for children their area holds (civil affairs), and those
    they decided (the child may have left their area since)."""
    if not user.is_authenticated or not user.is_active:
        return TransferRequest.objects.none()
    qs = TransferRequest.objects.select_related(*RELATED)
    if user.is_administrator:
        return qs
    return qs.filter(Q(requested_by=user) | Q(decided_by=user) | _holding_q(user))


def get_request_for_user(user: User, pk: int | str) -> TransferRequest:
    """The request if the user may open it, else 404: missing and forbidden look the same."""
    try:
        return requests_for(user).get(pk=int(pk))
    except (TransferRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such transfer request.")) from None


def incoming_for(user: User) -> QuerySet[TransferRequest]:
    """Pending requests for children the user's area holds, oldest first (the holding side's to-do list)."""
    if not (user.is_administrator or user.role == Role.CIVIL_AFFAIRS):
        return TransferRequest.objects.none()
    return (
        TransferRequest.objects.filter(_holding_q(user), status=TransferRequestStatus.PENDING)
        .select_related(*RELATED)
        .order_by("created_at", "id")[:LIST_ROWS]
    )


def sent_by(user: User) -> QuerySet[TransferRequest]:
    return TransferRequest.objects.filter(requested_by=user).select_related(*RELATED)[:LIST_ROWS]


def decided_by_user(user: User) -> QuerySet[TransferRequest]:
    return (
        TransferRequest.objects.filter(decided_by=user)
        .select_related(*RELATED)
        .order_by("-decided_at", "-id")[:LIST_ROWS]
    )


# --- Writes -----------------------------------------------------------------------------------------------------


def _holding_staff(child_village: str, county: Area) -> QuerySet[User]:
    """The county's own civil-affairs staff; where the county has none, the city's or province's."""
    staff = User.objects.filter(role=Role.CIVIL_AFFAIRS, is_active=True, areas=county)
    return staff if staff.exists() else civil_affairs_over(child_village)


def _notify(user_ids, *, key: str, title: str, body: str, url: str) -> None:
    Notification.objects.bulk_create(
        [Notification(user_id=pk, key=key, title=title[:200], body=body, url=url) for pk in user_ids],
        ignore_conflicts=True,
    )


@transaction.atomic
def transfer_request_create(*, user: User, token: str, to_village: Area, reason: str) -> TransferRequest:
    """Ask the county holding the archive found by a registration's look-up (`token`, see
    services.lookup_token) to transfer the child to `to_village`, a village of the requester's own area."""
    if not can_request(user):
        raise PermissionDenied(_("Only staff who register children may ask for a transfer."))
    child, name_given = services.lookup_from_token(user=user, token=token)
    if to_village.level != AreaLevel.VILLAGE or not access.in_user_areas(user, to_village.code):
        raise ValidationError({"to_village": _("Choose a village within your own area.")})
    if access.in_user_areas(user, child.village_id):
        raise ValidationError(_("This child is already in your area: use the archive's own transfer instead."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the child should be transferred to your area.")})
    if TransferRequest.objects.filter(child=child, requested_by=user, status=TransferRequestStatus.PENDING).exists():
        raise ValidationError(_("You have already asked for this transfer; the holding office has not decided yet."))
    county = services.county_of(child.village)
    transfer_request = TransferRequest(
        child=child,
        name_given=name_given or child.name,
        holding_county=county,
        requested_by=user,
        to_village=to_village,
        reason=reason.strip(),
    )
    transfer_request.full_clean()
    transfer_request.save()
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            _holding_staff(child.village_id, county).values_list("pk", flat=True),
            key=f"transfer-request:{transfer_request.pk}",
            title=_("Transfer request: %(child)s to %(village)s")
            % {"child": child.name, "village": services.area_path(to_village)},
            body=transfer_request.reason,
            url=reverse("children:transfer_request", args=[transfer_request.pk]),
        )
    return transfer_request


def _locked(transfer_request: TransferRequest) -> TransferRequest:
    """The request re-read and locked (its row only: the joined decider may be NULL, which PostgreSQL cannot lock)."""
    return TransferRequest.objects.select_for_update(of=("self",)).select_related(*RELATED).get(pk=transfer_request.pk)


def _require_decider(user: User, transfer_request: TransferRequest) -> None:
    if transfer_request.status != TransferRequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    if not can_decide(user, transfer_request):
        raise PermissionDenied(_("Only civil-affairs staff of the area holding the child decide this request."))


def _decided(user: User, transfer_request: TransferRequest, status: str, note: str) -> None:
    transfer_request.status = status
    transfer_request.decided_by = user
    transfer_request.decided_at = timezone.now()
    transfer_request.decision_note = note.strip()
    transfer_request.full_clean()
    transfer_request.save()


@transaction.atomic
def transfer_request_accept(*, user: User, transfer_request: TransferRequest, note: str = "") -> TransferRequest:
    """Transfer the child to the requested village (children.services.child_transfer keeps the old village in the
    history) and tell the requester."""
    transfer_request = _locked(transfer_request)
    _require_decider(user, transfer_request)
    child = transfer_request.child
    if child.status != ArchiveStatus.OPEN:
        raise ValidationError(_("This archive is closed and can no longer be transferred."))
    reason = _("Transfer request accepted: %(reason)s") % {"reason": transfer_request.reason}
    services.child_transfer(
        user=user, child=child, to_village=transfer_request.to_village, on=timezone.localdate(), reason=reason[:200]
    )
    _decided(user, transfer_request, TransferRequestStatus.ACCEPTED, note)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [transfer_request.requested_by_id],
            key=f"transfer-request-decided:{transfer_request.pk}",
            title=_("Transfer request accepted: %(child)s is now in %(village)s")
            % {"child": child.name, "village": services.area_path(transfer_request.to_village)},
            body=transfer_request.decision_note,
            url=reverse("children:detail", args=[child.pk]),
        )
    return transfer_request


@transaction.atomic
def transfer_request_decline(*, user: User, transfer_request: TransferRequest, note: str) -> TransferRequest:
    """Decline with a reason, which the requester is told (the archive stays where it is)."""
    transfer_request = _locked(transfer_request)
    _require_decider(user, transfer_request)
    if not note.strip():
        raise ValidationError({"note": _("Give the reason for declining.")})
    _decided(user, transfer_request, TransferRequestStatus.DECLINED, note)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(
            [transfer_request.requested_by_id],
            key=f"transfer-request-decided:{transfer_request.pk}",
            title=_("Transfer request declined: %(name)s") % {"name": transfer_request.name_given},
            body=transfer_request.decision_note,
            url=reverse("children:transfer_request", args=[transfer_request.pk]),
        )
    return transfer_request


@transaction.atomic
def transfer_request_withdraw(*, user: User, transfer_request: TransferRequest) -> TransferRequest:
    transfer_request = _locked(transfer_request)
    if transfer_request.requested_by_id != user.pk:
        raise PermissionDenied(_("Only the requester may withdraw this request."))
    if transfer_request.status != TransferRequestStatus.PENDING:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    transfer_request.status = TransferRequestStatus.WITHDRAWN
    transfer_request.save()
    return transfer_request
