from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import AreaLevel
from children import access
from config.forms import submitted

from . import holidays, rules, selectors, services
from .forms import HolidayForm, OpeningForm, SiteForm, StaffEndForm, StaffForm
from .models import SiteKind, SiteStaff


def _require_area_staff(user) -> None:
    if not (user.is_administrator or user.role in access.AREA_ROLES):
        raise Http404


def _year(request) -> int:
    try:
        return max(2000, min(timezone.localdate().year, int(request.GET.get("year", ""))))
    except ValueError:
        return timezone.localdate().year


@login_required
def site_list(request):
    _require_area_staff(request.user)
    year = _year(request)
    kind = request.GET.get("kind", "")
    qs = selectors.sites_for(request.user).order_by("area_id", "kind")
    if kind in SiteKind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.site_rows(list(page), year, timezone.localdate())
    return render(
        request,
        "sites/list.html",
        {"page": page, "rows": rows, "year": year, "kind": kind, "kinds": SiteKind.choices},
    )


def _site_areas(user):
    return access.visible_areas(user).filter(level__in=[AreaLevel.VILLAGE, AreaLevel.TOWNSHIP]).order_by("code")


@login_required
@require_http_methods(["GET", "POST"])
def site_new(request):
    _require_area_staff(request.user)
    form = SiteForm(request.POST or None, areas=_site_areas(request.user))
    done, site = submitted(request, form, lambda: services.site_save(user=request.user, site=form.save(commit=False)))
    if done:
        messages.success(request, _("Site saved."))
        return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/form.html", {"form": form, "title": _("Register a site")})


@login_required
def site_detail(request, pk: int):
    site = selectors.get_site_for_user(request.user, pk)
    today = timezone.localdate()
    (row,) = selectors.site_rows([site], today.year, today)
    return render(
        request,
        "sites/detail.html",
        {
            "site": site,
            "row": row,
            "staff": list(site.staff.select_related("user")),
            "openings": list(site.openings.all()[:30]),
            "activities": list(site.activities.order_by("-date", "-id")[:30]),
            "may_manage": services.may_manage(request.user, site),
            "may_record": services.may_record_openings(request.user, site),
            "staff_form": StaffForm(),
            "opening_form": OpeningForm(initial={"date": today}),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request, pk: int):
    site = selectors.get_site_for_user(request.user, pk)
    form = SiteForm(request.POST or None, instance=site, areas=_site_areas(request.user))
    done, _site = submitted(request, form, lambda: services.site_save(user=request.user, site=form.save(commit=False)))
    if done:
        messages.success(request, _("Site saved."))
        return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/form.html", {"form": form, "title": _("Change the site"), "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def staff_new(request, pk: int):
    site = selectors.get_site_for_user(request.user, pk)
    form = StaffForm(request.POST or None)
    done, _staff = submitted(
        request, form, lambda: services.staff_add(user=request.user, site=site, staff=form.save(commit=False))
    )
    if done:
        messages.success(request, _("Staff member added."))
        return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/form.html", {"form": form, "title": _("Add a staff member"), "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def staff_end(request, pk: int, staff_pk: int):
    site = selectors.get_site_for_user(request.user, pk)
    staff = get_object_or_404(SiteStaff, site=site, pk=staff_pk)
    form = StaffEndForm(request.POST or None, initial={"until": timezone.localdate()})
    done, _staff = submitted(
        request, form, lambda: services.staff_end(user=request.user, staff=staff, until=form.cleaned_data["until"])
    )
    if done:
        messages.success(request, _("Recorded."))
        return redirect("sites:detail", pk=site.pk)
    title = _("%(name)s leaves the site") % {"name": staff.name}
    return render(request, "sites/form.html", {"form": form, "title": title, "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def opening_new(request, pk: int):
    site = selectors.get_site_for_user(request.user, pk)
    form = OpeningForm(request.POST or None, initial={"date": timezone.localdate()})
    done, _opening = submitted(
        request, form, lambda: services.opening_record(user=request.user, site=site, opening=form.save(commit=False))
    )
    if done:
        messages.success(request, _("Opening day recorded."))
        return redirect("sites:detail", pk=site.pk)
    return render(request, "sites/form.html", {"form": form, "title": _("Record an opening day"), "site": site})


@login_required
def holiday_safety(request):
    """The villages without a safety lecture before the holiday (the next one by default)."""
    _require_area_staff(request.user)
    table = holidays.calendars()
    today = timezone.localdate()
    season, start = rules.next_holiday(today, rules.DEFAULT_CALENDAR)
    form = HolidayForm(request.GET or None, initial={"season": season, "year": start.year})
    if form.is_bound and form.is_valid():
        season, year = form.cleaned_data["season"], form.cleaned_data["year"]
    else:
        year = start.year
    villages = access.visible_villages(request.user)
    result = holidays.missing_list(villages, season, year, table)
    return render(request, "sites/holiday_safety.html", {"form": form, "today": today, **result})
