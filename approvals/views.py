"""Pages of approval requests: the list (to decide, mine, decided by me) and one request, where an approver
approves or returns it with a reason and the proposer may withdraw it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children import access
from config.forms import submitted

from . import selectors, services
from .forms import ReturnForm
from .models import Approval


def with_labels(rows):
    """Each request with its kind's label and the one-line description of the change (no query)."""
    rows = list(rows)
    for row in rows:
        row.kind_label = services.kind_label(row.kind)
        row.description = services.describe(row)
    return rows


def _get(request, pk: int) -> Approval:
    """The request through the gate: whoever may read the child's archive (and only they) opens it."""
    return access.record_for(request, Approval.objects.select_related(*selectors.RELATED), pk)


@login_required
def approval_list(request):
    user = request.user
    if not (user.is_administrator or user.role in access.AREA_ROLES):
        raise Http404
    return render(
        request,
        "approvals/list.html",
        {
            "to_decide": with_labels(selectors.decidable_for(user)[: selectors.LIST_ROWS]),
            "mine": with_labels(selectors.proposed_by(user)[: selectors.LIST_ROWS]),
            "decided": with_labels(selectors.decided_by(user)[: selectors.LIST_ROWS]),
        },
    )


def _detail(request, approval: Approval, *, return_form=None):
    can_decide = services.can_decide(request.user, approval)
    with_labels([approval])
    return render(
        request,
        "approvals/detail.html",
        {
            "approval": approval,
            "child": approval.child,
            "can_decide": can_decide,
            "return_form": return_form or (ReturnForm() if can_decide else None),
            "can_withdraw": approval.is_waiting and approval.proposed_by_id == request.user.pk,
            "history": approval.history.select_related("history_user").order_by("history_date", "history_id"),
        },
    )


@login_required
def approval_detail(request, pk: int):
    return _detail(request, _get(request, pk))


@login_required
@require_POST
def approval_approve(request, pk: int):
    """A button: the change proposed is made now. A refusal (the archive changed since the proposal) is shown on
    the request's page, and nothing changes."""
    approval = _get(request, pk)
    try:
        services.approval_approve(user=request.user, approval=approval)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved: the change is made."))
    return redirect("approvals:detail", pk=approval.pk)


@login_required
@require_POST
def approval_return(request, pk: int):
    approval = _get(request, pk)
    form = ReturnForm(request.POST)
    done, _result = submitted(
        request,
        form,
        lambda: services.approval_return(user=request.user, approval=approval, reason=form.cleaned_data["reason"]),
    )
    if done:
        messages.success(request, _("Returned to the proposer."))
        return redirect("approvals:detail", pk=approval.pk)
    return _detail(request, approval, return_form=form)


@login_required
@require_POST
def approval_withdraw(request, pk: int):
    approval = _get(request, pk)
    try:
        services.approval_withdraw(user=request.user, approval=approval)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("approvals:detail", pk=approval.pk)
