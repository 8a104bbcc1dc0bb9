"""Pages of category proposals (children.identification): the list of children whose recorded facts and categories
disagree, for directors (their villages) and county staff, and confirming or dismissing one. A child is reached
only through the gate (children.access)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from approvals import kinds as approval_kinds
from approvals import services as approval_services
from approvals.models import Approval
from config.forms import errors_at_top, submitted

from . import access, identification, rules
from .forms import ProposalConfirmForm, ProposalDismissForm
from .models import CategoryProposal
from .paging import CappedPaginator


def with_labels(proposals, user):
    """Each proposal's facts in words; a fact for those who need to know (a positive psychological screen) reads
    neutral to a user without that need (psychology.access: at most one query)."""
    from psychology.access import NEED_TO_KNOW_FACTS, proposals_not_known

    proposals = list(proposals)
    hidden = proposals_not_known(user, proposals)
    for p in proposals:
        p.fact_labels = [
            rules.NEUTRAL_FACT_LABEL if p.pk in hidden and code in NEED_TO_KNOW_FACTS else rules.fact_label(code)
            for code in p.fact_codes
        ]
    return proposals


@login_required
def proposal_list(request):
    """Pending proposals of the open archives the user reads, by village and child (two queries: count, page)."""
    qs = identification.pending_for(request.user)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    with_labels(page.object_list, request.user)
    access.log_shown(request, {p.child_id for p in page.object_list})
    return render(request, "children/proposals.html", {"page": page})


def _decide(request, pk: int, item_pk: int, form_class, title: str, run):
    proposal = access.record_for(request, CategoryProposal.objects.all(), item_pk, child_pk=pk, need=access.Level.EDIT)
    child = proposal.child
    form = form_class(request.POST or None)
    done, decided = submitted(request, form, lambda: run(proposal, form.cleaned_data), show=errors_at_top)
    if done:
        if isinstance(decided, Approval):  # the region asks for approval: nothing has changed yet
            messages.info(request, _("Sent for approval: the change is made once it is approved."))
        else:
            messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    with_labels([proposal], request.user)
    return render(
        request,
        "children/proposal_form.html",
        {"form": form, "child": child, "proposal": proposal, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_confirm(request, pk: int, item_pk: int):
    return _decide(
        request,
        pk,
        item_pk,
        ProposalConfirmForm,
        _("Confirm the proposed category change"),
        # A change of categories: through approval where the child's region asks for it (approvals.kinds).
        lambda p, data: approval_services.request_or_apply(
            kind=approval_kinds.CATEGORY_PROPOSAL,
            child=p.child,
            user=request.user,
            payload={"proposal": p.pk, "action": p.action, "category": p.category, "on": data["on"]},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_dismiss(request, pk: int, item_pk: int):
    return _decide(
        request,
        pk,
        item_pk,
        ProposalDismissForm,
        _("Dismiss the proposed category change"),
        lambda p, data: identification.proposal_dismiss(user=request.user, proposal=p, reason=data["reason"]),
    )
