"""Pages of list submissions: the sources and their submissions with the upload form (liaisons, civil affairs),
a submission's figures, and the changes waiting for a director's decision."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from children import access
from config.forms import submitted

from . import exports, matching, profiles, rules, selectors, services
from .forms import DismissForm, UploadForm
from .models import ChangeKind, ChangeProposal, MappingProfile, Via


def _page(request, qs):
    return Paginator(qs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def sources(request):
    user = request.user
    own = matching.sources_for(user)
    if not (user.is_administrator or user.role in ("liaison", "civil_affairs")):
        raise Http404
    profiles.shipped_profile()
    form = UploadForm(request.POST or None, request.FILES or None, departments=matching.departments_for(user))

    def receive():
        data = form.cleaned_data
        return matching.submission_receive(
            user=user,
            source=matching.source_for(user=user, department=data["department"], kind=data["kind"]),
            records=profiles.sheet_records(data["file"], data["profile"]),
            via=Via.UPLOAD,
            profile=data["profile"],
        )

    done, submission = submitted(request, form, receive)
    if done:
        messages.success(
            request,
            _("List received: %(rows)d rows, %(proposals)d changes proposed, %(candidates)d candidates.")
            % {"rows": submission.rows_n, "proposals": submission.proposals_n, "candidates": submission.candidates_n},
        )
        return redirect("exchange:submission", pk=submission.pk)
    today = timezone.localdate()
    listed = []
    for source in own:
        last = timezone.localdate(source.last_received_at) if source.last_received_at else None
        created = timezone.localdate(source.created_at)
        source.silent = rules.is_silent(today, last, created, source.expected_every_days)
        listed.append(source)
    return render(
        request,
        "exchange/sources.html",
        {
            "form": form,
            "sources": listed,
            "page": _page(request, selectors.submissions_for(user)),
            "profiles": MappingProfile.objects.all() if user.is_administrator or user.role == "civil_affairs" else [],
        },
    )


@login_required
def profile_export(request):
    """The open archives the user reads, in the columns of the profile `?profile=` (masked and logged:
    exchange.exports). Civil-affairs staff: exchange with another system is theirs."""
    if not (request.user.is_administrator or request.user.role == "civil_affairs"):
        raise Http404
    given = request.GET.get("profile", "")
    profile = MappingProfile.objects.filter(pk=int(given)).first() if given.isdigit() and len(given) < 10 else None
    if profile is None:
        raise Http404
    fmt = request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    try:
        return exports.response(request.user, profile, fmt)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("exchange:sources")


@login_required
def submission_detail(request, pk: int):
    submission = selectors.get_submission_for_user(request.user, pk)
    return render(request, "exchange/submission.html", {"submission": submission})


@login_required
def changes(request):
    page = _page(request, selectors.pending_changes_for(request.user))
    access.log_shown(request, [p.child_id for p in page.object_list])
    return render(request, "exchange/changes.html", {"page": page, "dismiss_form": DismissForm()})


def _proposal(request, pk: int) -> ChangeProposal:
    return access.record_for(
        request,
        ChangeProposal.objects.select_related("row__submission__source__department"),
        pk,
        need=access.Level.EDIT,
    )


def _back(request, proposal: ChangeProposal):
    """Back where the decision was taken: the archive page's list changes, or the list of pending changes."""
    if request.POST.get("back") == "archive":
        return redirect(reverse("children:detail", args=[proposal.child_id]) + "#list-changes")
    return redirect("exchange:changes")


@login_required
@require_POST
def change_confirm(request, pk: int):
    proposal = _proposal(request, pk)
    try:
        proposal = services.change_confirm(user=request.user, proposal=proposal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request, proposal)
    messages.success(request, _("Confirmed: %(change)s") % {"change": proposal.get_kind_display()})
    if proposal.approvals:
        messages.info(request, _("The archive changes once the request is approved (see Approvals)."))
    if proposal.kind == ChangeKind.DROPOUT:
        return redirect(reverse("plans:new", args=[proposal.child_id]) + "?kind=return_to_school")
    if proposal.kind == ChangeKind.WELFARE_STARTED:
        return redirect("children:record_add", pk=proposal.child_id, kind="welfare")
    return _back(request, proposal)


@login_required
@require_POST
def change_dismiss(request, pk: int):
    proposal = _proposal(request, pk)
    form = DismissForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the change does not apply."))
        return _back(request, proposal)
    try:
        services.change_dismiss(user=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(request, proposal)
    messages.success(request, _("Dismissed."))
    return _back(request, proposal)
