from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Area, AreaLevel, Department, Role, User
from children import access
from children.uploads import serve_upload
from config.forms import submitted
from sites import selectors as site_selectors

from . import activities, coverage, discovery, ledger, spotchecks
from . import duties as recorded_duties
from .forms import (
    ActivityForm,
    AssignForm,
    EvaluationForm,
    FindingCloseForm,
    ItemForm,
    ListUploadForm,
    ProfileForm,
    ScreenOutForm,
    SpotCheckForm,
    TrainingForm,
)
from .models import CHECKLIST, ActivityPhoto, DirectorProfile, MatchKind


def _year(request) -> int:
    try:
        return max(2000, min(timezone.localdate().year, int(request.GET.get("year", ""))))
    except ValueError:
        return timezone.localdate().year


def _page(request, qs):
    return Paginator(qs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


def _require_area_staff(user) -> None:
    if not (user.is_administrator or user.role in access.AREA_ROLES):
        raise Http404


# ------------------------------------------------------------------ overview


@login_required
def index(request):
    _require_area_staff(request.user)
    counts = coverage.coverage_counts(request.user) if request.user.role != Role.DIRECTOR else None
    return render(request, "oversight/index.html", {"counts": counts})


# ------------------------------------------------------------------ spot checks


@login_required
@require_http_methods(["GET", "POST"])
def spot_check_list(request):
    if not spotchecks.is_civil_affairs(request.user):
        raise Http404
    counties = access.visible_areas(request.user).filter(level=AreaLevel.COUNTY)
    form = SpotCheckForm(request.POST or None, counties=counties)

    def start():
        data = form.cleaned_data
        return spotchecks.spot_check_start(
            user=request.user,
            county=data["county"],
            per_township=data["per_township"],
            share_percent=data["share_percent"],
            seed=data["seed"],
        )

    done, check = submitted(request, form, start)
    if done:
        messages.success(request, _("Spot check started: %(n)d archives drawn.") % {"n": check.items.count()})
        return redirect("oversight:spot_check", pk=check.pk)
    page = _page(request, spotchecks.spot_checks_for(request.user))
    return render(request, "oversight/spot_checks.html", {"page": page, "form": form})


@login_required
def spot_check_record(request):
    if not spotchecks.is_civil_affairs(request.user):
        raise Http404
    year = _year(request)
    counties = spotchecks.yearly_record(request.user, year)
    return render(
        request,
        "oversight/spot_check_record.html",
        {"year": year, "counties": counties, "missing": sum(1 for c in counties if not c.check_count)},
    )


@login_required
def spot_check_detail(request, pk: int):
    check = spotchecks.get_spot_check_for_user(request.user, pk)
    page = _page(request, spotchecks.items_for(check))
    return render(
        request,
        "oversight/spot_check_detail.html",
        {"check": check, "townships": spotchecks.township_results(check), "page": page, "checklist": CHECKLIST},
    )


@login_required
@require_http_methods(["GET", "POST"])
def spot_check_item(request, pk: int, item_pk: int):
    check = spotchecks.get_spot_check_for_user(request.user, pk)
    item = access.record_for(request, spotchecks.items_of(check), item_pk)
    initial = {name: ("1" if getattr(item, name) else "0") for name, _l in CHECKLIST if getattr(item, name) is not None}
    form = ItemForm(request.POST or None, initial={**initial, "notes": item.notes})

    def record():
        data = form.cleaned_data
        spotchecks.item_record(
            user=request.user,
            item=item,
            results={name: data.get(name) for name, _l in CHECKLIST},
            notes=data["notes"],
            finding=data["finding"],
            due_on=data["due_on"],
        )

    done, _recorded = submitted(request, form, record)
    if done:
        messages.success(request, _("Saved."))
        return redirect("oversight:spot_check", pk=check.pk)
    findings = list(item.findings.all())
    return render(
        request, "oversight/spot_check_item.html", {"check": check, "item": item, "form": form, "findings": findings}
    )


@login_required
@require_POST
def finding_close(request, pk: int):
    finding = access.record_for(request, spotchecks.open_findings_for(request.user), pk)
    form = FindingCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what was corrected."))
        return redirect("visits:worklist")
    try:
        spotchecks.finding_close(user=request.user, finding=finding, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Finding closed."))
    return redirect("visits:worklist")


# ------------------------------------------------------------------ the ledger


@login_required
def ledger_list(request):
    _require_area_staff(request.user)
    year = _year(request)
    page = _page(request, ledger.ledger_for(request.user, year))
    scores = ledger.evaluations_for(list(page.object_list), year)
    rows = [(d, scores[d.pk]) for d in page.object_list]
    return render(request, "oversight/ledger.html", {"page": page, "rows": rows, "year": year})


def _director(request, pk: int) -> User:
    return ledger.get_director_for_user(request.user, pk)


@login_required
def director_detail(request, pk: int):
    director = _director(request, pk)
    year = _year(request)
    score = ledger.evaluations_for([director], year)[director.pk]
    return render(
        request,
        "oversight/director_detail.html",
        {
            "director": director,
            "profile": DirectorProfile.objects.filter(director=director).first(),
            "trainings": list(director.trainings.all()[:100]),
            "score": score,
            "year": year,
            "evaluation": director.evaluations.filter(year=year).first(),
            "can_edit": ledger.can_edit_ledger(request.user, director),
        },
    )


def _editable_director(request, pk: int) -> User:
    director = _director(request, pk)
    if not ledger.can_edit_ledger(request.user, director):
        raise PermissionDenied(_("Only civil-affairs staff of the director's county may change the ledger."))
    return director


@login_required
@require_http_methods(["GET", "POST"])
def director_profile(request, pk: int):
    director = _editable_director(request, pk)
    profile = DirectorProfile.objects.filter(director=director).first() or DirectorProfile(director=director)
    form = ProfileForm(request.POST or None, instance=profile)
    done, _profile = submitted(
        request,
        form,
        lambda: ledger.profile_save(user=request.user, director=director, profile=form.save(commit=False)),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("oversight:director", pk=director.pk)
    return render(request, "oversight/form.html", {"form": form, "title": director, "back": director})


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request, pk: int):
    director = _editable_director(request, pk)
    form = TrainingForm(request.POST or None)
    done, _training = submitted(
        request,
        form,
        lambda: ledger.training_add(user=request.user, director=director, training=form.save(commit=False)),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("oversight:director", pk=director.pk)
    title = _("Training of %(name)s") % {"name": director}
    return render(request, "oversight/form.html", {"form": form, "title": title, "back": director})


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_edit(request, pk: int):
    director = _editable_director(request, pk)
    year = _year(request)
    current = director.evaluations.filter(year=year).first()
    initial = {"satisfaction": current.satisfaction, "comment": current.comment} if current else None
    form = EvaluationForm(request.POST or None, initial=initial)
    done, _evaluation = submitted(
        request,
        form,
        lambda: ledger.evaluation_save(user=request.user, director=director, year=year, **form.cleaned_data),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('oversight:director', args=[director.pk])}?year={year}")
    title = _("Evaluation %(year)d: %(name)s") % {"year": year, "name": director}
    return render(request, "oversight/form.html", {"form": form, "title": title, "back": director})


@login_required
def coverage_view(request):
    _require_area_staff(request.user)
    if request.user.role == Role.DIRECTOR:
        raise Http404
    limit = 200
    lists = [
        (_("Villages without a director"), coverage.villages_without_director(request.user), "villages"),
        (
            _("Villages with more than %(n)d children and only one director") % {"n": coverage.CROWDED_CHILDREN},
            coverage.crowded_villages_with_one_director(request.user),
            "villages",
        ),
        (_("Directors not trained this year"), coverage.directors_not_trained(request.user), "directors"),
    ]
    sections = [
        {"title": title, "count": qs.count(), "items": list(qs[:limit]), "kind": kind} for title, qs, kind in lists
    ]
    return render(request, "oversight/coverage.html", {"sections": sections, "limit": limit})


# ------------------------------------------------------------------ activities


@login_required
def activity_list(request):
    _require_area_staff(request.user)
    page = _page(request, activities.activities_for(request.user))
    return render(request, "oversight/activities.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def activity_new(request):
    _require_area_staff(request.user)
    areas = access.visible_areas(request.user)
    departments = Department.objects.filter(area__in=access.related_areas(request.user))
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        areas=areas,
        departments=departments,
        sites=site_selectors.sites_for(request.user).order_by("area_id", "kind"),
    )

    def record():
        participants = activities.resolve_participants(request.user, form.cleaned_data["participants"])
        return activities.activity_create(
            user=request.user,
            activity=form.save(commit=False),
            participants=participants,
            photos=form.cleaned_data["photos"],
        )

    done, activity = submitted(request, form, record)
    if done:
        messages.success(request, _("Activity recorded."))
        return redirect("oversight:activity", pk=activity.pk)
    return render(request, "oversight/form.html", {"form": form, "title": _("Record an activity"), "multipart": True})


@login_required
def activity_detail(request, pk: int):
    activity = activities.get_activity_for_user(request.user, pk)
    participants = list(activities.visible_participants(request.user, activity))
    access.log_shown(request, [c.pk for c in participants])
    return render(
        request,
        "oversight/activity_detail.html",
        {
            "activity": activity,
            "participants": participants,
            "photos": activities.photos_of(activity),
        },
    )


@login_required
def activity_photo(request, pk: int, photo_pk: int):
    activity = activities.get_activity_for_user(request.user, pk)
    photo = get_object_or_404(ActivityPhoto, activity=activity, pk=photo_pk)
    return serve_upload(photo.image)


@login_required
def duties(request):
    _require_area_staff(request.user)
    year = _year(request)
    recorded = recorded_duties.recorded_gaps(request.user, year)
    access.log_shown(request, recorded_duties.shown_children(recorded))
    return render(
        request, "oversight/duties.html", {"year": year, **activities.duty_gaps(request.user, year), **recorded}
    )


# ------------------------------------------------------------------ discovery


@login_required
@require_http_methods(["GET", "POST"])
def discovery_lists(request):
    if not discovery.can_upload(request.user):
        raise Http404
    form = ListUploadForm(request.POST or None, request.FILES or None, areas=access.visible_areas(request.user))

    def upload():
        data = form.cleaned_data
        return discovery.list_upload(
            user=request.user, upload=data["file"], title=data["title"], source=data["source"], area=data["area"]
        )

    done, outside = submitted(request, form, upload)
    if done:
        messages.success(request, _("List read: %(n)d rows matched.") % {"n": outside.rows.count()})
        return redirect("oversight:discovery_list", pk=outside.pk)
    page = _page(request, discovery.lists_for(request.user))
    return render(request, "oversight/discovery.html", {"page": page, "form": form})


@login_required
def discovery_list(request, pk: int):
    outside = discovery.get_list_for_user(request.user, pk)
    match = request.GET.get("match", "")
    if match not in MatchKind.values:
        match = ""
    page = _page(request, discovery.rows_for(request.user, outside, match))
    rows = discovery.annotate_visibility(request.user, list(page.object_list))
    access.log_shown(request, [r.visible_child.pk for r in rows if r.visible_child])
    return render(
        request,
        "oversight/discovery_list.html",
        {
            "outside": outside,
            "page": page,
            "rows": rows,
            "match": match,
            "matches": MatchKind.choices,
            "assign_choices": discovery.assignable_directors(outside),
        },
    )


@login_required
@require_POST
def row_assign(request, pk: int):
    row = discovery.get_row_for_user(request.user, pk)
    form = AssignForm(request.POST, choices=discovery.assignable_directors(row.outside_list))
    if form.is_valid():
        user_id, village_code = form.cleaned_data["director"].split(":")
        try:
            discovery.candidate_assign(
                user=request.user,
                row=row,
                director=User.objects.get(pk=user_id),
                village=Area.objects.get(pk=village_code),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Assigned."))
    else:
        messages.error(request, _("Choose a director."))
    return redirect(f"{reverse('oversight:discovery_list', args=[row.outside_list_id])}?match=candidate")


@login_required
@require_http_methods(["GET", "POST"])
def row_screen_out(request, pk: int):
    row = discovery.get_row_for_user(request.user, pk)
    form = ScreenOutForm(request.POST or None)
    done, _screened = submitted(
        request,
        form,
        lambda: discovery.candidate_screen_out(user=request.user, row=row, reason=form.cleaned_data["reason"]),
    )
    if done:
        messages.success(request, _("Screened out."))
        return redirect("oversight:my_candidates")
    title = _("Screen out: %(name)s") % {"name": row.name}
    return render(request, "oversight/form.html", {"form": form, "title": title})


@login_required
@require_POST
def row_screen_in(request, pk: int):
    row = discovery.get_row_for_user(request.user, pk)
    try:
        discovery.candidate_screen_in(user=request.user, row=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{reverse('children:register')}?{discovery.registration_query(row)}")
    messages.success(request, _("Screened in."))
    return redirect("oversight:my_candidates")


@login_required
def my_candidates(request):
    _require_area_staff(request.user)
    rows = list(discovery.candidates_assigned_to(request.user)[:300])
    for r in rows:
        r.register_query = discovery.registration_query(r)
    return render(request, "oversight/my_candidates.html", {"rows": rows})
