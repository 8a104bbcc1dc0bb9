from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from approvals import services as approval_services
from approvals.models import Approval, ApprovalStatus
from children import access
from children.categories import Category
from children.exports import export_format
from children.models import AccessAction, Child
from children.uploads import serve_upload
from config.forms import submitted

from . import screening, selectors, services
from .forms import CampaignForm, ConfirmForm, NoReportForm, ProposalConfirmForm, ProposalDismissForm, VisitForm
from .models import CategoryEndProposal, ProposalStatus, ScreeningCampaign, ScreeningConfirmation, Visit, VisitPhoto


def _household(user, child: Child):
    """Other open children of the same village at the same address (a household visit)."""
    if not child.address:
        return Child.objects.none()
    return (
        access.visible_children(user)
        .filter(village_id=child.village_id, address=child.address, status="open")
        .exclude(pk=child.pk)
    )


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request, child_pk: int):
    child = access.child_for(
        request, child_pk, need=access.Level.EDIT, related=access.AREAS if request.method == "GET" else ()
    )
    form = VisitForm(request.POST or None, request.FILES or None, household_qs=_household(request.user, child))
    done, made = submitted(
        request,
        form,
        lambda: services.visit_create(
            user=request.user,
            child=child,
            visit=form.save(commit=False),
            household=form.cleaned_data.get("household") or [],
            photos=form.cleaned_data["photos"],
        ),
    )
    if done:
        messages.success(request, _("Visit recorded for %(names)s.") % {"names": "、".join(v.child.name for v in made)})
        if made[0].caregiver_unable:
            messages.warning(
                request,
                _(
                    "The caregiver cannot look after the child: a follow-up is in your worklist (tell the parents "
                    "and choose another caregiver)."
                ),
            )
        if made[0].harm_found:
            messages.error(request, _("Harm or danger was found: file a mandatory report now."))
            return redirect(f"{reverse('guardianship:report_new')}?child={child.pk}&visit={made[0].pk}")
        if request.POST.get("next") == "worklist":
            return redirect("visits:worklist")
        return redirect("children:detail", pk=child.pk)
    return render(
        request, "visits/visit_form.html", {"form": form, "child": child, "next": request.GET.get("next", "")}
    )


@login_required
def child_visit_list(request, child_pk: int):
    """Every visit of a child, paged (the archive page shows the latest ones)."""
    child = access.child_for(request, child_pk)
    page = Paginator(selectors.all_child_visits(child), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "visits/child_visits.html", {"child": child, "page": page, "query": ""})


@login_required
def visit_detail(request, child_pk: int, pk: int):
    visit = access.record_for(
        request, Visit.objects.select_related("created_by").prefetch_related("photos"), pk, child_pk=child_pk
    )
    child = visit.child
    history = list(visit.history.select_related("history_user").order_by("-history_date")[:20])
    context = {
        "child": child,
        "visit": visit,
        "history": history,
        "can_edit": access.can_edit_child(request.user, child) and child.is_open,
        "follow_ups": list(visit.follow_ups.select_related("owner")) if visit.caregiver_unable else [],
    }
    if visit.harm_found:
        from guardianship import harm

        context["answering_reports"] = list(harm.answering_reports(visit, request.user))
        context["unanswered"] = not context["answering_reports"] and harm.is_unanswered(visit)
        if context["unanswered"] and context["can_edit"] and services.may_record_no_report(request.user, child):
            context["no_report_form"] = NoReportForm()
    return render(request, "visits/visit_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def visit_no_report(request, child_pk: int, pk: int):
    """The director records why a visit that found harm needs no mandatory report."""
    from guardianship import harm

    visit = access.record_for(request, Visit.objects.all(), pk, child_pk=child_pk, need=access.Level.EDIT)
    needed = visit.harm_found and services.may_record_no_report(request.user, visit.child) and harm.is_unanswered(visit)
    form = NoReportForm(request.POST or None) if needed else None
    if form is not None:
        done, _recorded = submitted(
            request,
            form,
            lambda: services.visit_no_report(user=request.user, visit=visit, reason=form.cleaned_data["reason"]),
        )
        if done:
            messages.success(request, _("The reason is kept in the archive."))
            return redirect("visits:detail", child_pk=child_pk, pk=pk)
    return render(request, "visits/no_report.html", {"form": form, "child": visit.child, "visit": visit})


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request, child_pk: int, pk: int):
    visit = access.record_for(request, Visit.objects.all(), pk, child_pk=child_pk, need=access.Level.EDIT)
    child = visit.child
    form = VisitForm(request.POST or None, request.FILES or None, instance=visit)
    done, _updated = submitted(
        request,
        form,
        lambda: services.visit_update(
            user=request.user,
            visit=form.save(commit=False),
            photos=form.cleaned_data["photos"],
            expected_version=form.cleaned_data.get("version"),
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("visits:detail", child_pk=child.pk, pk=visit.pk)
    return render(request, "visits/visit_form.html", {"form": form, "child": child, "visit": visit})


@login_required
def visit_photo(request, child_pk: int, pk: int, photo_pk: int):
    child = access.child_for(request, child_pk, action=AccessAction.DOWNLOAD)
    photo = get_object_or_404(VisitPhoto, visit__child=child, visit_id=pk, pk=photo_pk)
    return serve_upload(photo.image)


def _export_schedules(request, queryset, basename: str):
    from children.exports import export_response

    from .resources import ScheduleResource

    resource = ScheduleResource(user=request.user)
    return export_response(request, resource=resource, queryset=queryset, basename=basename, child_field="child_id")


@login_required
def worklist(request):
    """本周待访 for a director (or anyone with children): overdue first, one tap to log a visit."""
    today = timezone.localdate()
    from guardianship.casework import open_follow_ups_for

    if export_format(request):
        return _export_schedules(request, selectors.worklist_for(request.user, today), _("visits-this-week"))
    rows = selectors.annotate_status(list(selectors.worklist_for(request.user, today)[:300]), today)
    follow_ups = list(open_follow_ups_for(request.user)[:100])
    from approvals import selectors as approval_selectors
    from approvals import views as approval_views
    from guardianship import casework, harm
    from oversight.spotchecks import open_findings_for
    from plans.selectors import open_measures_for

    findings = list(open_findings_for(request.user)[:100])
    return render(
        request,
        "visits/worklist.html",
        {
            "rows": rows,
            "today": today,
            "follow_ups": follow_ups,
            "findings": findings,
            "plan_measures": list(open_measures_for(request.user)[:100]),
            "unreported_harm": list(harm.unanswered_harm_for(request.user)[:100]),
            "reviews": casework.reviews_due_for(request.user, today)[:100],
            # Changes proposed by directors waiting for this supervisor's (or county's) approval.
            "approvals": approval_views.with_labels(approval_selectors.worklist_for(request.user)[:100]),
            # A screening found these children no longer eligible: their director confirms or dismisses.
            "screening_proposals": list(
                selectors.proposals_for(request.user).filter(status=ProposalStatus.OPEN, awaiting_approval=False)[:100]
            )
            if request.user.role == Role.DIRECTOR
            else [],
        },
    )


@login_required
def overdue(request):
    """Overdue children by village, with the villages' directors (supervisors and civil affairs)."""
    if request.user.role not in (Role.SUPERVISOR, Role.CIVIL_AFFAIRS) and not request.user.is_administrator:
        raise Http404
    today = timezone.localdate()
    try:
        min_days = min(3650, max(1, int(request.GET.get("min_days", 1))))
    except ValueError:
        min_days = 1
    qs = selectors.overdue_for(request.user, today, min_days=min_days, village=request.GET.get("village", ""))
    if export_format(request):
        return _export_schedules(request, qs, _("overdue-visits"))
    page = Paginator(qs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.annotate_status(list(page.object_list), today)
    directors = selectors.directors_of({r.village_id for r in rows})
    for r in rows:
        r.directors = "、".join(directors.get(r.village_id, [])) or _("no director")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "visits/overdue.html", {"page": page, "rows": rows, "min_days": min_days, "query": query.urlencode()}
    )


@login_required
def compliance(request):
    """County view: on-time home-visit rate over the last full quarter, per township."""
    if request.user.role != Role.CIVIL_AFFAIRS and not request.user.is_administrator:
        raise Http404
    start, end = selectors.quarter_bounds(timezone.localdate())
    rows = selectors.compliance_by_township(request.user, start, end)
    return render(request, "visits/compliance.html", {"rows": rows, "start": start, "end": end})


@login_required
@require_http_methods(["GET", "POST"])
def campaigns(request):
    visible = ScreeningCampaign.objects.filter(area__in=access.related_areas(request.user)).select_related("area")
    form = None
    if request.user.role == Role.CIVIL_AFFAIRS or request.user.is_administrator:
        form = CampaignForm(request.POST or None, areas=access.visible_areas(request.user).exclude(level="village"))
        done, _campaign = submitted(
            request, form, lambda: services.campaign_create(user=request.user, **form.cleaned_data)
        )
        if done:
            messages.success(request, _("Screening started."))
            return redirect("visits:campaigns")
    elif request.method == "POST":
        raise PermissionDenied
    lapsed = []
    if request.user.role == Role.CIVIL_AFFAIRS or request.user.is_administrator:
        lapsed = screening.lapsed_for(request.user, timezone.localdate())
    return render(request, "visits/campaigns.html", {"campaigns": visible, "form": form, "lapsed": lapsed})


@login_required
def campaign_detail(request, pk: int):
    campaign = get_object_or_404(
        ScreeningCampaign.objects.select_related("area"), pk=pk, area__in=access.related_areas(request.user)
    )
    progress = selectors.campaign_progress(campaign, request.user)
    unfinished = screening.not_finished(progress)
    directors = selectors.directors_of({p["code"] for p in unfinished})
    for p in unfinished:
        p["directors"] = "、".join(directors.get(p["code"], [])) or _("no director")
    pending = (
        access.visible_children(request.user)
        .filter(status="open", village__code__startswith=campaign.area.prefix)
        .exclude(pk__in=ScreeningConfirmation.objects.filter(campaign=campaign).values("child_id"))
        .select_related("village")
        .order_by("village_id", "name")[:200]
    )
    proposals = list(selectors.proposals_for(request.user).filter(confirmation__campaign=campaign)[:200])
    return render(
        request,
        "visits/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "pending": pending,
            "unfinished": unfinished,
            "proposals": proposals,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_confirm(request, pk: int, child_pk: int):
    campaign = get_object_or_404(ScreeningCampaign, pk=pk, area__in=access.related_areas(request.user))
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = ConfirmForm(request.POST or None)
    done, _confirmation = submitted(
        request,
        form,
        lambda: services.screening_confirm(user=request.user, campaign=campaign, child=child, **form.cleaned_data),
    )
    if done:
        messages.success(request, _("Confirmed."))
        return redirect("visits:campaign", pk=campaign.pk)
    return render(
        request,
        "children/form.html",
        {"form": form, "child": child, "title": _("Confirm in screening: %(name)s") % {"name": campaign}},
    )


@login_required
def proposals(request):
    """Open proposals to end categories (a screening found the child no longer eligible), for the user's children."""
    rows = list(selectors.proposals_for(request.user).filter(status=ProposalStatus.OPEN)[:300])
    access.log_shown(request, [p.child_id for p in rows])
    return render(request, "visits/proposals.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def proposal(request, child_pk: int, pk: int):
    """The child's director confirms a proposal (ends the ticked categories) or dismisses it with a reason."""
    item = access.record_for(
        request,
        CategoryEndProposal.objects.select_related("confirmation__campaign", "decided_by"),
        pk,
        child_pk=child_pk,
    )
    child = item.child
    pending = (
        Approval.objects.filter(
            child=child,
            kind=services.SCREENING_CATEGORY_END,
            subject=services.proposal_subject(item.pk),
            status=ApprovalStatus.PROPOSED,
        ).first()
        if item.status == ProposalStatus.OPEN
        else None
    )
    can_decide = item.status == ProposalStatus.OPEN and services.may_decide_proposal(request.user, child)
    confirm_form = ProposalConfirmForm(proposal=item) if can_decide and pending is None else None
    dismiss_form = ProposalDismissForm() if can_decide else None
    if request.method == "POST":
        if not can_decide:
            raise PermissionDenied
        if request.POST.get("action") == "dismiss":
            dismiss_form = ProposalDismissForm(request.POST)
            done, _dismissed = submitted(
                request,
                dismiss_form,
                lambda: services.proposal_dismiss(
                    user=request.user, proposal=item, reason=dismiss_form.cleaned_data["reason"]
                ),
            )
            if done:
                messages.success(request, _("Proposal dismissed; the categories stay."))
                return redirect("children:detail", pk=child.pk)
        else:
            confirm_form = ProposalConfirmForm(request.POST, proposal=item)
            done, waiting = submitted(
                request,
                confirm_form,
                lambda: services.proposal_confirm(
                    user=request.user,
                    proposal=item,
                    categories=confirm_form.cleaned_data["categories"],
                    ended_on=confirm_form.cleaned_data["ended_on"],
                ),
            )
            if done:
                if waiting is not None:  # the region asks for approval: nothing has changed yet
                    messages.info(request, _("Sent for approval: the change is made once it is approved."))
                else:
                    messages.success(request, _("The categories have ended."))
                return redirect("children:detail", pk=child.pk)
    labels = dict(Category.choices)
    return render(
        request,
        "visits/proposal.html",
        {
            "child": child,
            "proposal": item,
            "category_labels": [labels.get(c, c) for c in item.category_codes],
            "confirm_form": confirm_form,
            "dismiss_form": dismiss_form,
            "pending": pending,
            "waits": can_decide
            and approval_services.needs_approval(request.user, child, services.SCREENING_CATEGORY_END),
        },
    )
