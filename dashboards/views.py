"""Dashboards for supervisors and civil-affairs staff: one area at a time, drill down by clicking a row."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from oversight.coverage import coverage_counts
from sites.selectors import operation_rates

from . import selectors, tables

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def index(request):
    if not selectors.may_use_dashboards(request.user):
        raise Http404(_("No such area."))
    areas = selectors.start_areas(request.user)
    if len(areas) == 1:
        return redirect("dashboards:area", code=areas[0].code)
    return render(request, "dashboards/index.html", {"areas": areas})


def _own_area(user, place) -> bool:
    if user.is_administrator:
        return place.parent_id is None
    return user.areas.filter(code=place.code).exists()


@login_required
def area(request, code: str):
    place = selectors.area_for(request.user, code)
    board = selectors.dashboard(request.user, place, timezone.localdate())
    return render(
        request,
        "dashboards/area.html",
        {
            "board": board,
            "tables": tables.build(board),
            # The child directors' coverage checks count over the user's whole scope, so they are shown on the
            # dashboard of the user's own area (the top of their drill-down), not on the areas below it.
            "coverage_counts": coverage_counts(request.user) if _own_area(request.user, place) else None,
            # The sites' operation rate against the region's target (sites.selectors; four queries).
            "site_rates": operation_rates(place, board.today.year),
        },
    )


@login_required
def export(request, code: str, table: str):
    """One table of the dashboard as .xlsx (aggregates only: no child's data, so no access-log line)."""
    if table not in tables.TABLE_KEYS:
        raise Http404(_("No such table."))
    place = selectors.area_for(request.user, code)
    board = selectors.dashboard(request.user, place, timezone.localdate())
    chosen = next(t for t in tables.build(board) if t.key == table)
    response = HttpResponse(tables.xlsx(chosen), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="dashboard-{place.code}-{table}.xlsx"'
    return response
