from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from approvals import kinds as approval_kinds
from approvals import selectors as approval_selectors
from approvals import services as approval_services
from approvals import views as approval_views
from approvals.models import Approval
from bulk.rules import SELECTION_MAX
from config.forms import apply_errors, submitted
from visits import selectors as visit_selectors

from . import access, search, selectors, services
from .forms import (
    CareRecordForm,
    CategoryAddForm,
    CategoryEndForm,
    ChildFilterForm,
    ChildForm,
    ChildRegisterForm,
    CloseForm,
    ColourForm,
    EntrustedCareForm,
    FamilyMemberForm,
    ProblemForm,
    TransferForm,
    WelfareForm,
    WorkLogForm,
)
from .jobs import can_import
from .models import AccessAction, AccessLog, ChildCategory, EntrustedCare
from .paging import CappedPaginator
from .transfer_views import registration_initial
from .uploads import serve_upload

# The archive page shows the latest changes; its history page up to FULL_HISTORY_ROWS per record type.
ARCHIVE_HISTORY_ROWS = 20
FULL_HISTORY_ROWS = 2000

# Records of an archive edited through one view: URL kind -> (form, related name on Child, title).
RECORD_KINDS = {
    "family": (FamilyMemberForm, "family", gettext_lazy("family member")),
    "welfare": (WelfareForm, "welfare", gettext_lazy("welfare coverage")),
    "problem": (ProblemForm, "problems", gettext_lazy("problem and solution")),
    "care": (CareRecordForm, "care_records", gettext_lazy("care record")),
    "log": (WorkLogForm, "work_log", gettext_lazy("work log entry")),
}


def _editable_child(request, pk: int):
    return access.child_for(request, pk, need=access.Level.EDIT)


@login_required
@require_http_methods(["GET", "POST"])
def child_list(request):
    # The search form is posted; its text goes into the session and the URL carries only a key (children.search).
    query = search.to_url(request, request.POST if request.method == "POST" else request.GET)
    if query is not None or request.method == "POST":
        return redirect(f"{request.path}?{query.urlencode()}" if query else request.path)
    form = ChildFilterForm(search.filters_data(request) or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page = CappedPaginator(selectors.child_list_for(request.user, filters), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "children/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_register": access.visible_villages(request.user).exists(),
            "can_import": can_import(request.user),
            "bulk_max": SELECTION_MAX,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_register(request):
    if request.user.role == Role.LIAISON:
        raise Http404
    # Pre-filled from a proactive-discovery candidate named by its row id (no name or ID number in the URL).
    initial = registration_initial(request)
    form = ChildRegisterForm(request.POST or None, user=request.user, initial=initial)
    duplicates = ()  # archives found as duplicates: a link to those of the user's area, a transfer request else

    def register():
        child = form.save(commit=False)
        child.colour = form.cleaned_data["colour"]
        child.registered_on = form.cleaned_data["registered_on"]
        return services.child_register(
            user=request.user,
            child=child,
            categories=form.cleaned_data["categories"],
            categories_since=form.cleaned_data["registered_on"],
            confirmed_not_duplicate=form.cleaned_data["confirm_not_duplicate"],
        )

    def refused(shown, exc: ValidationError) -> None:
        nonlocal duplicates
        apply_errors(shown, exc)
        duplicates = getattr(exc, "holders", ())

    done, child = submitted(request, form, register, show=refused)
    if done:
        messages.success(request, _("%(name)s is registered.") % {"name": child.name})
        return redirect("children:detail", pk=child.pk)
    return render(request, "children/register.html", {"form": form, "duplicates": duplicates})


@login_required
def child_detail(request, pk: int):
    child = access.child_for(request, pk, need=access.Level.SHARED, related=(*access.AREAS, "schedule"))
    if child.access_level == access.Level.SHARED:
        # Shared for a referral: the department sees what its service needs, not the whole archive.
        referrals = child.referrals.filter(department_id=request.user.department_id)
        return render(request, "children/detail_shared.html", {"child": child, "referrals": referrals})
    lists = selectors.archive_lists(child)
    context = {
        "child": child,
        "can_edit": access.can_edit_child(request.user, child) and child.is_open,
        **lists,
        "summary": selectors.archive_summary(lists),
        "history": selectors.archive_history(child, limit=ARCHIVE_HISTORY_ROWS + 1, user=request.user),
        "visits": visit_selectors.child_visits(child, timezone.localdate()),
    }
    context["more_history"] = len(context["history"]) > ARCHIVE_HISTORY_ROWS
    context["history"] = context["history"][:ARCHIVE_HISTORY_ROWS]
    from guardianship import timeline

    context["timeline"] = timeline.for_child(child)  # every kind of record, newest first: two queries
    from . import identification, proposal_views

    context["proposals"] = proposal_views.with_labels(identification.for_child(child), request.user)  # 1-2 queries
    context["approvals"] = approval_views.with_labels(approval_selectors.for_child(child))  # one query
    from plans import selectors as plan_selectors

    context["help_plans_section"] = plan_selectors.archive_section(child)  # four queries
    return render(request, "children/detail.html", context)


@login_required
def child_history(request, pk: int):
    """The archive's whole change history (the archive page shows the latest ARCHIVE_HISTORY_ROWS changes)."""
    child = access.child_for(request, pk)
    history = selectors.archive_history(child, limit=FULL_HISTORY_ROWS, user=request.user)
    return render(request, "children/history.html", {"child": child, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def child_edit(request, pk: int):
    child = _editable_child(request, pk)
    form = ChildForm(request.POST or None, instance=child, user=request.user)
    done, _updated = submitted(
        request,
        form,
        lambda: services.child_update(
            user=request.user, child=form.save(commit=False), expected_version=form.cleaned_data.get("version")
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Edit basic information")})


def _simple_action(request, pk: int, form_class, title: str, run, *, form_kwargs=None, approval_kind: str = ""):
    """`approval_kind`: the change goes through approvals.services.request_or_apply; the form says so beforehand
    where the child's region makes this user's change wait for approval."""
    child = _editable_child(request, pk)
    form = form_class(request.POST or None, **(form_kwargs or {}))
    done, result = submitted(request, form, lambda: run(child, form.cleaned_data))
    if done:
        if isinstance(result, Approval):  # the region asks for approval: nothing has changed yet
            messages.info(request, _("Sent for approval: the change is made once it is approved."))
        else:
            messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    waits = bool(approval_kind) and approval_services.needs_approval(request.user, child, approval_kind)
    return render(request, "children/form.html", {"form": form, "child": child, "title": title, "waits": waits})


@login_required
@require_http_methods(["GET", "POST"])
def child_close(request, pk: int):
    return _simple_action(
        request,
        pk,
        CloseForm,
        _("Close the archive"),
        lambda child, data: approval_services.request_or_apply(
            kind=approval_kinds.CHILD_CLOSE,
            child=child,
            user=request.user,
            payload={"reason": data["reason"], "closed_on": data["closed_on"], "note": data["note"]},
            reason=data["note"],
        ),
        approval_kind=approval_kinds.CHILD_CLOSE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_transfer(request, pk: int):
    return _simple_action(
        request,
        pk,
        TransferForm,
        _("Transfer to another village"),
        lambda child, data: services.child_transfer(
            user=request.user,
            child=child,
            to_village=data["to_village"],
            on=data["transferred_on"],
            reason=data["reason"],
        ),
        form_kwargs={"user": request.user},
    )


@login_required
@require_http_methods(["GET", "POST"])
def child_colour(request, pk: int):
    return _simple_action(
        request,
        pk,
        ColourForm,
        _("Change the colour grade"),
        lambda child, data: services.colour_set(
            user=request.user, child=child, colour=data["colour"], on=data["on"], reason=data["reason"]
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_add(request, pk: int):
    def run(child, data):
        return approval_services.request_or_apply(
            kind=approval_kinds.CATEGORY_ADD,
            child=child,
            user=request.user,
            payload={"category": data["category"], "started_on": data["started_on"], "note": data["note"]},
            reason=data["note"],
        )

    return _simple_action(
        request, pk, CategoryAddForm, _("Add a category"), run, approval_kind=approval_kinds.CATEGORY_ADD
    )


@login_required
@require_http_methods(["GET", "POST"])
def category_end(request, pk: int, item_pk: int):
    item = access.record_for(request, ChildCategory.objects.all(), item_pk, child_pk=pk, need=access.Level.EDIT)
    return _simple_action(
        request,
        pk,
        CategoryEndForm,
        _("End the category %(name)s") % {"name": item},
        lambda child, data: approval_services.request_or_apply(
            kind=approval_kinds.CATEGORY_END,
            child=child,
            user=request.user,
            payload={"item": item.pk, "category": item.category, "ended_on": data["ended_on"]},
        ),
        approval_kind=approval_kinds.CATEGORY_END,
    )


def _opened_version(request, child) -> int:
    """The archive's version when an edit form was opened (a hidden field), for optimistic locking: a save based
    on an older version is refused instead of silently overwriting someone else's change."""
    posted = request.POST.get("version", "") if request.method == "POST" else ""
    return int(posted) if posted.isdigit() else child.version


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk: int, kind: str, item_pk: int | None = None):
    form_class, related, label = RECORD_KINDS[kind]
    child = _editable_child(request, pk)
    instance = get_object_or_404(getattr(child, related).all(), pk=item_pk) if item_pk else None
    form = form_class(request.POST or None, instance=instance, user=request.user)
    version = _opened_version(request, child)
    done, _saved = submitted(
        request,
        form,
        lambda: services.record_save(
            user=request.user,
            child=child,
            record=form.save(commit=False),
            expected_version=version if instance else None,  # adding a record overwrites nothing
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    title = (_("Edit %(what)s") if instance else _("Add %(what)s")) % {"what": label}
    return render(request, "children/form.html", {"form": form, "child": child, "title": title, "version": version})


@login_required
@require_http_methods(["GET", "POST"])
def entrusted_care_edit(request, pk: int):
    child = _editable_child(request, pk)
    instance = EntrustedCare.objects.filter(child=child).first()
    form = EntrustedCareForm(request.POST or None, request.FILES or None, instance=instance, user=request.user)
    version = _opened_version(request, child)
    done, _saved = submitted(
        request,
        form,
        lambda: services.record_save(
            user=request.user, child=child, record=form.save(commit=False), expected_version=version
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/form.html",
        {
            "form": form,
            "child": child,
            "title": _("Entrusted caregiver and agreement"),
            "multipart": True,
            "version": version,
        },
    )


@login_required
def agreement_scan(request, pk: int):
    child = access.child_for(request, pk, action=AccessAction.DOWNLOAD)
    care = EntrustedCare.objects.filter(child=child).first()
    if not care or not care.agreement_scan:
        raise Http404
    ext = care.agreement_scan.name.rsplit(".", 1)[-1]
    return serve_upload(care.agreement_scan, download_name=f"agreement-{child.pk}.{ext}")


@login_required
def access_log(request):
    """Civil-affairs staff read who looked at which child of their area."""
    if not (request.user.is_administrator or request.user.role == Role.CIVIL_AFFAIRS):
        raise Http404
    entries = AccessLog.objects.filter(child__in=access.visible_children(request.user)).select_related("user", "child")
    page = Paginator(entries, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "children/access_log.html", {"page": page})
