"""Bulk actions on lists (issue 18): thin views. The selection (ticked boxes, archive numbers in the POST body,
never in a URL) is read by rules.selection; each child passes the gate (children.access.children_for); the single
action's own service runs per child (bulk.services); the result page says what was done and what was refused."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from children import access, pdf
from children.exports import FORMATS, attachment, export_response
from children.forms import TransferForm
from children.models import AccessAction
from children.resources import ChildResource, with_guardian
from config.forms import submitted
from visits.forms import ConfirmForm
from visits.models import ScreeningCampaign

from . import rules, selectors, services
from .forms import ReassignForm
from .models import BulkKind


def _ids(request, *, cap: int = rules.SELECTION_MAX) -> list[int] | None:
    """The posted selection, or None after telling the user why it was refused (nothing is done). "The whole page"
    ticked adds every row the page listed (`page_child`): a select-all that needs no script."""
    values = request.POST.getlist("child")
    if request.POST.get("whole_page"):
        values += request.POST.getlist("page_child")
    try:
        return rules.selection(values, cap=cap)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return None


def _back(request):
    return redirect("children:list")


def _to_run(run):
    return redirect("bulk:run", pk=run.pk)


@login_required
@require_POST
def children_action(request):
    """The children list's selection with the button pressed: export (.xlsx or .csv), print (one PDF), or transfer
    (which asks where to first)."""
    do = request.POST.get("do", "")
    if do not in ("xlsx", "csv", "print", "transfer"):
        messages.error(request, _("Choose what to do with the children you ticked."))
        return _back(request)
    ids = _ids(request, cap=rules.PRINT_MAX if do == "print" else rules.SELECTION_MAX)
    if ids is None:
        return _back(request)
    if do == "transfer":
        return render(request, "bulk/transfer.html", {"form": TransferForm(user=request.user), "ids": ids})
    if do == "print":
        children, refused = access.children_for(
            request, ids, action=AccessAction.PDF, related=("village__parent__parent",)
        )
        run = services.selection_recorded(user=request.user, kind=BulkKind.PRINT, children=children, refused=refused)
        if not children:
            return _to_run(run)
        _tell_refused(request, run)
        content = pdf.archives_pdf(children, user=request.user)
        return attachment(content, filename=f"儿童档案-{len(children)}份.pdf", content_type="application/pdf")
    children, refused = access.children_for(request, ids, action=AccessAction.EXPORT)
    run = services.selection_recorded(user=request.user, kind=BulkKind.EXPORT, children=children, refused=refused)
    if not children:
        return _to_run(run)
    _tell_refused(request, run)
    queryset = with_guardian(access.visible_children(request.user).filter(pk__in=[c.pk for c in children]))
    return export_response(
        request,
        resource=ChildResource(user=request.user),
        queryset=queryset.order_by("village_id", "name", "id"),
        basename="儿童名单-所选",
        child_field=None,  # the gate has logged each child
        fmt=do if do in FORMATS else None,
    )


def _tell_refused(request, run) -> None:
    if run.refused:
        messages.warning(
            request,
            _("%(done)d children are in the file; %(refused)d were left out: see Bulk actions for the reasons.")
            % {"done": run.done, "refused": run.refused},
        )


@login_required
@require_POST
def transfer(request):
    """The second step of a transfer: the receiving village, the date and the reason, for every child ticked."""
    ids = _ids(request)
    if ids is None:
        return _back(request)
    form = TransferForm(request.POST, user=request.user)

    def run():
        children, refused = access.children_for(request, ids, need=access.Level.EDIT)
        return services.transfer_many(
            user=request.user,
            children=children,
            refused=refused,
            to_village=form.cleaned_data["to_village"],
            on=form.cleaned_data["transferred_on"],
            reason=form.cleaned_data["reason"],
        )

    done, result = submitted(request, form, run)
    if done:
        return _to_run(result)
    return render(request, "bulk/transfer.html", {"form": form, "ids": ids})


@login_required
@require_POST
def screening_confirm(request):
    """Confirm the children ticked on a screening's page, with the same answers for each."""
    campaign = get_object_or_404(
        ScreeningCampaign,
        pk=request.POST.get("campaign") if (request.POST.get("campaign") or "").isdigit() else None,
        area__in=access.related_areas(request.user),
    )
    ids = _ids(request)
    form = ConfirmForm(request.POST)
    if ids is None or not form.is_valid():
        if ids is not None:
            messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("visits:campaign", pk=campaign.pk)
    children, refused = access.children_for(request, ids, need=access.Level.EDIT)
    run = services.screening_confirm_many(
        user=request.user, campaign=campaign, children=children, refused=refused, **form.cleaned_data
    )
    return _to_run(run)


@login_required
@require_http_methods(["GET", "POST"])
def reassign(request):
    """Hand over a leaving director's villages and open work to a director who serves them."""
    if not services.can_reassign(request.user):
        raise Http404
    form = ReassignForm(request.POST or None, user=request.user)
    done, run = submitted(
        request,
        form,
        lambda: services.reassign(
            user=request.user,
            villages=form.villages(),
            leaving=form.cleaned_data["leaving"],
            receiving=form.cleaned_data["receiving"],
            release=form.cleaned_data["release"],
        ),
    )
    if done:
        access.log_shown(request, selectors.children_of(run), AccessAction.EDIT)
        return _to_run(run)
    return render(request, "bulk/reassign.html", {"form": form})


@login_required
def runs(request):
    return render(
        request,
        "bulk/runs.html",
        {"runs": selectors.runs_of(request.user), "can_reassign": services.can_reassign(request.user)},
    )


@login_required
def run_detail(request, pk: int):
    run = selectors.run_for(request.user, pk)
    return render(request, "bulk/run.html", {"run": run, **selectors.run_rows(request.user, run)})
