from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from children import access
from children.exports import export_format, export_response
from config.forms import submitted

from . import casework, harm, notify, rules, services
from . import referrals as referral_service
from . import reports as report_service
from .forms import (
    AssessmentForm,
    ConferenceForm,
    InterventionForm,
    PlacementEndForm,
    PlacementForm,
    ReferralForm,
    ReferralMoveForm,
    ReportForm,
    ReportMoveForm,
)
from .models import Assessment, HarmType, Instrument, TemporaryPlacement


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, child_pk: int):
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    instrument = Instrument.objects.filter(active=True).order_by("-id").first()
    form = AssessmentForm(request.POST or None, instrument=instrument)
    done, a = submitted(
        request,
        form,
        lambda: services.assessment_create(
            user=request.user,
            child=child,
            instrument=instrument,
            answers=form.answers(),
            assessed_on=form.cleaned_data["assessed_on"],
            narrative=form.cleaned_data["narrative"],
            measures=form.cleaned_data["measures"],
            next_on=form.cleaned_data["next_on"],
        ),
    )
    if done:
        messages.success(
            request,
            _("Assessed: %(grade)s (score %(score)d). Proposed colour grade: %(colour)s.")
            % {
                "grade": a.get_grade_display(),
                "score": a.score,
                "colour": dict(child._meta.get_field("colour").flatchoices)[rules.PROPOSED_COLOUR[a.grade]],
            },
        )
        return redirect("guardianship:assessment", child_pk=child.pk, pk=a.pk)
    return render(
        request, "guardianship/assessment_form.html", {"form": form, "child": child, "instrument": instrument}
    )


@login_required
def assessment_detail(request, child_pk: int, pk: int):
    a = access.record_for(request, Assessment.objects.select_related("instrument", "assessor"), pk, child_pk=child_pk)
    child = a.child
    answers = a.answers.select_related("item__dimension", "option").order_by("item__dimension__order", "item__order")
    return render(
        request,
        "guardianship/assessment_detail.html",
        {"child": child, "a": a, "answers": answers, "colour": rules.PROPOSED_COLOUR[a.grade]},
    )


@login_required
def report_list(request):
    """The reports the user may read; `late=1`: only those made late (reports.late_q); `harm=<kind>`: only that kind
    of harm (online harm and internet addiction are counted on the page, to reach the 网信 department), in the
    page and its export."""
    late = request.GET.get("late") == "1"
    harm_type = request.GET.get("harm", "")
    harm_type = harm_type if harm_type in HarmType.values else ""
    qs = report_service.reports_for(request.user)
    if late:
        qs = qs.filter(report_service.late_q())
    online = report_service.online_counts(qs)
    if harm_type:
        qs = qs.filter(harm_type=harm_type)
    query = "&".join(p for p in ("late=1" if late else "", f"harm={harm_type}" if harm_type else "") if p)
    if export_format(request):
        from .resources import ReportResource

        return export_response(
            request,
            resource=ReportResource(),
            queryset=qs.order_by("-created_at"),
            basename=_("mandatory-reports"),
            child_field="child_id",
        )
    rows = list(qs[:200])
    rows.sort(key=lambda r: (not r.flagged, r.status == "closed", -r.created_at.timestamp()))
    return render(
        request,
        "guardianship/report_list.html",
        {"rows": rows, "late": late, "query": query, "harm": harm_type, "online": online},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    """Anyone signed in files a report; from a visit that found harm it comes pre-filled."""
    from visits.models import Visit

    child = None
    initial = {}
    if request.GET.get("child", "").isdigit():
        # Anyone who may see the child at all files a report about it; pre-filling from a visit reads the archive.
        child = access.child_for(request, request.GET["child"], need=access.Level.SHARED)
    visit = None
    if child and request.GET.get("visit", "").isdigit():
        visit = access.record_for(request, Visit.objects.all(), request.GET["visit"], child_pk=child.pk)
        initial = {
            "source": "visit",
            "found_at": visit.visited_at,
            "what_found": "\n".join(x for x in (visit.problems_found, visit.observations, visit.safety_hazards) if x),
            **({"harm_type": visit.online_concern} if visit.online_concern else {}),  # online harm goes to 网信
        }
    form = ReportForm(request.POST or None, user=request.user, child=child, initial=initial)

    def file():
        report = form.save(commit=False)
        report.child = child
        report.visit = visit
        if child is None:
            report.area = form.cleaned_data["area_code"]
        return report_service.report_file(user=request.user, report=report)

    done, report = submitted(request, form, file)
    if done:
        _tell_filer(request, report)
        return redirect("guardianship:report", pk=report.pk)
    return render(request, "guardianship/report_form.html", {"form": form, "child": child})


def _tell_filer(request, report) -> None:
    """Who the report reached (notify.notified_about), and a word when it was made late (rules.reported_late)."""
    notified = notify.notified_about(report)
    if notified:
        messages.success(
            request,
            _("The mandatory report is filed. Notified: %(who)s") % {"who": notify.notified_line(notified)},
        )
    else:
        messages.warning(
            request,
            _(
                "The mandatory report is filed, but nobody in the system could be notified: no department liaison "
                "or civil-affairs account covers this area. Telephone the civil-affairs office now."
            ),
        )
    if report.late:
        days, hours = rules.delay_parts(report.delay)
        messages.warning(
            request,
            _(
                "This report was made %(days)d days %(hours)d hours after the harm was found. Harm is reported at "
                "once (立即报告); the report is marked late."
            )
            % {"days": days, "hours": hours},
        )


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    # Who reads a report is decided by its selector (filer, area, handling department); the gate logs the child.
    report = access.record_for(request, report_service.reports_for(request.user), pk, need=access.Level.NONE)
    can_act = report_service.can_act(request.user, report)
    form = ReportMoveForm(request.POST or None, report=report) if can_act and report.status != "closed" else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only civil affairs of the area or the handling department can do this."))
        done, _moved = submitted(
            request, form, lambda: report_service.report_move(user=request.user, report=report, **form.cleaned_data)
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect("guardianship:report", pk=report.pk)
    return render(
        request,
        "guardianship/report_detail.html",
        {"r": report, "form": form, "notified": notify.notified_about(report)},
    )


@login_required
def unreported_harm(request):
    """Visits that found harm with no report filed and no reason recorded, for supervisors and civil affairs of the
    area (directors see theirs in their worklist)."""
    if request.user.role not in (Role.SUPERVISOR, Role.CIVIL_AFFAIRS) and not request.user.is_administrator:
        raise Http404
    page = Paginator(harm.unanswered_harm_for(request.user), settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "guardianship/unreported_harm.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request, child_pk: int):
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = ReferralForm(request.POST or None, child=child)
    done, r = submitted(
        request, form, lambda: referral_service.referral_send(user=request.user, child=child, **form.cleaned_data)
    )
    if done:
        messages.success(request, _("Referred to %(dept)s.") % {"dept": r.recipient})
        return redirect("guardianship:referral", pk=r.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Refer for a service")})


def _visible_referrals(user):
    return referral_service.referrals_for(user)


@login_required
def referral_list(request):
    if export_format(request):
        from .resources import ReferralResource

        qs = _visible_referrals(request.user).order_by("-created_at")
        return export_response(
            request, resource=ReferralResource(), queryset=qs, basename=_("referrals"), child_field="child_id"
        )
    rows = list(_visible_referrals(request.user)[:200])
    return render(request, "guardianship/referral_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def referral_detail(request, pk: int):
    # Who reads a referral is decided by its selector (the area, or the receiving department); the gate logs.
    referral = access.record_for(request, _visible_referrals(request.user), pk, need=access.Level.NONE)
    can_act = referral_service.can_act(request.user, referral)
    form = ReferralMoveForm(request.POST or None, referral=referral) if can_act and referral.is_open else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Only the receiving department can update this referral."))
        done, _moved = submitted(
            request,
            form,
            lambda: referral_service.referral_move(user=request.user, referral=referral, **form.cleaned_data),
        )
        if done:
            messages.success(request, _("Saved."))
            return redirect(
                "guardianship:referral" if referral.is_open else "guardianship:referrals",
                **({"pk": referral.pk} if referral.is_open else {}),
            )
    return render(request, "guardianship/referral_detail.html", {"r": referral, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def intervention_new(request, child_pk: int):
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = InterventionForm(request.POST or None, request.FILES or None)
    done, _intervention = submitted(
        request,
        form,
        lambda: casework.intervention_create(
            user=request.user,
            child=child,
            intervention=form.save(commit=False),
            document=form.cleaned_data.get("document"),
            institution=form.cleaned_data["institution"],
            address=form.cleaned_data["address"],
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    return render(
        request,
        "children/form.html",
        {"form": form, "child": child, "multipart": True, "title": _("Record a guardianship intervention")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def conference_new(request, child_pk: int):
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = ConferenceForm(request.POST or None, owners=casework.possible_owners(child))
    done, _conference = submitted(
        request,
        form,
        lambda: casework.conference_create(
            user=request.user,
            child=child,
            held_on=form.cleaned_data["held_on"],
            participants=form.cleaned_data["participants"],
            summary=form.cleaned_data["summary"],
            decisions=form.decisions(),
        ),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("children:detail", pk=child.pk)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Record a case conference")})


@login_required
@require_http_methods(["GET", "POST"])
def placement_new(request, child_pk: int):
    """Move a child in temporary guardianship to a new placement (the current one ends that day)."""
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = PlacementForm(request.POST or None)
    done, _placement = submitted(
        request, form, lambda: casework.placement_start(user=request.user, child=child, **form.cleaned_data)
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('children:detail', args=[child.pk])}#placements")
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Temporary placement")})


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request, child_pk: int, pk: int):
    placement = access.record_for(
        request, TemporaryPlacement.objects.filter(to_on__isnull=True), pk, child_pk=child_pk, need=access.Level.EDIT
    )
    form = PlacementEndForm(request.POST or None)
    done, _ended = submitted(
        request,
        form,
        lambda: casework.placement_end(user=request.user, placement=placement, to_on=form.cleaned_data["to_on"]),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('children:detail', args=[child_pk])}#placements")
    return render(
        request,
        "children/form.html",
        {"form": form, "child": placement.child, "title": _("End of the placement: %(p)s") % {"p": placement}},
    )


@login_required
@require_http_methods(["POST"])
def follow_up_done(request, pk: int):
    follow_up = access.record_for(request, casework.open_follow_ups_for(request.user), pk, need=access.Level.ARCHIVE)
    casework.follow_up_done(user=request.user, follow_up=follow_up)
    messages.success(request, _("Marked done."))
    return redirect("visits:worklist")
