"""Pages of transfer requests (children.transfers), and the registration form's pre-filling from a candidate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from config.forms import submitted

from . import access, services, transfers
from .models import TransferRequestStatus
from .transfer_forms import DeclineForm, TransferRequestForm


def registration_initial(request) -> dict:
    """Initial values of the registration form: from a proactive-discovery candidate named by its row id
    (`?candidate=<id>`, resolved on the server and scoped to the user, 404 otherwise). Names and ID numbers in the
    query string are ignored: they never travel in URLs."""
    candidate = request.GET.get("candidate")
    if not candidate:
        return {}
    from oversight.discovery import registration_initial as candidate_initial

    return candidate_initial(request.user, candidate)


@login_required
def transfer_request_list(request):
    user = request.user
    if not transfers.can_request(user):
        raise Http404
    return render(
        request,
        "children/transfer_requests.html",
        {
            "incoming": list(transfers.incoming_for(user)),
            "sent": list(transfers.sent_by(user)),
            "decided": list(transfers.decided_by_user(user)),
            "holding_side": user.is_administrator or user.role == Role.CIVIL_AFFAIRS,
        },
    )


@login_required
@require_POST
def transfer_request_new(request):
    """Posted from the registration page's duplicate notice (`start`: the form opens with its village), then with
    the reason. The archive is named by the look-up reference only."""
    if not transfers.can_request(request.user):
        raise Http404
    if "start" in request.POST:
        form = TransferRequestForm(
            user=request.user,
            initial={"token": request.POST.get("token", ""), "to_village": request.POST.get("to_village") or None},
        )
    else:
        form = TransferRequestForm(request.POST, user=request.user)
        done, transfer_request = submitted(
            request,
            form,
            lambda: transfers.transfer_request_create(
                user=request.user,
                token=form.cleaned_data["token"],
                to_village=form.cleaned_data["to_village"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if done:
            messages.success(request, _("Transfer requested. You will be notified of the decision."))
            return redirect("children:transfer_request", request_pk=transfer_request.pk)
    office = name = ""
    try:
        child, name = services.lookup_from_token(user=request.user, token=form["token"].value() or "")
    except ValidationError as exc:
        if not form.errors:
            form.add_error(None, exc)
    else:
        office = services.office_of(child.village)
    return render(request, "children/transfer_request_new.html", {"form": form, "office": office, "name": name})


def _detail(request, transfer_request, *, decline_form=None, status=200):
    user = request.user
    # The requester before acceptance, or the decider after the child left, reads no archive data (None).
    child = access.child_or_none(request, transfer_request.child_id)
    can_decide = transfers.can_decide(user, transfer_request)
    return render(
        request,
        "children/transfer_request.html",
        {
            "req": transfer_request,
            "child": child,
            "can_decide": can_decide,
            "decline_form": decline_form or (DeclineForm() if can_decide else None),
            "can_withdraw": transfer_request.requested_by_id == user.pk
            and transfer_request.status == TransferRequestStatus.PENDING,
            "holding_side": transfer_request.requested_by_id != user.pk,
        },
        status=status,
    )


@login_required
def transfer_request_detail(request, request_pk: int):
    return _detail(request, transfers.get_request_for_user(request.user, request_pk))


@login_required
@require_POST
def transfer_request_accept(request, request_pk: int):
    transfer_request = transfers.get_request_for_user(request.user, request_pk)
    try:
        transfers.transfer_request_accept(user=request.user, transfer_request=transfer_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Accepted: the child has been transferred."))
    return redirect("children:transfer_request", request_pk=transfer_request.pk)


@login_required
@require_POST
def transfer_request_decline(request, request_pk: int):
    transfer_request = transfers.get_request_for_user(request.user, request_pk)
    form = DeclineForm(request.POST)
    done, _declined = submitted(
        request,
        form,
        lambda: transfers.transfer_request_decline(
            user=request.user, transfer_request=transfer_request, note=form.cleaned_data["note"]
        ),
    )
    if done:
        messages.success(request, _("Declined. The requester has been told the reason."))
        return redirect("children:transfer_request", request_pk=transfer_request.pk)
    return _detail(request, transfer_request, decline_form=form)


@login_required
@require_POST
def transfer_request_withdraw(request, request_pk: int):
    transfer_request = transfers.get_request_for_user(request.user, request_pk)
    try:
        transfers.transfer_request_withdraw(user=request.user, transfer_request=transfer_request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("children:transfer_request", request_pk=transfer_request.pk)
