from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department, Role
from config.forms import submitted

from . import rules, selectors, services
from .forms import AssignmentUpdateForm, MatrixFilterForm, PeriodRecordForm, YearlyReportForm
from .models import Assignment, Plan, Status, YearlyReport


@login_required
def matrix(request):
    """Tasks by action as rows, departments as columns, each cell coloured by status."""
    plans = Plan.objects.select_related("region")
    chosen = plans.filter(pk=request.GET.get("plan")).first() if request.GET.get("plan", "").isdigit() else None
    plan = chosen or plans.first()
    if plan is None:
        raise Http404(_("No action plan has been loaded."))
    departments = Department.objects.filter(assignments__task__action__plan=plan).distinct().order_by("name")
    form = MatrixFilterForm(
        request.GET or None, plans=plans, departments=departments, actions=plan.actions.all(), initial={"plan": plan.pk}
    )
    filters = form.cleaned_data if form.is_valid() else {}
    m = selectors.matrix_for(
        plan, action=filters.get("action"), department=filters.get("department"), status=filters.get("status") or ""
    )
    labels = {d.pk: d.name for d in m.departments}
    return render(
        request,
        "tasks/matrix.html",
        {
            "form": form,
            "m": m,
            "statuses": Status.choices,
            "by_department": selectors.summary_rows(m.by_department, labels),
            "by_action": selectors.summary_rows(m.by_action, {a.pk: a.name for a, _rows in m.actions}),
        },
    )


@login_required
def mine(request):
    """本部门任务: the liaison's department's assignments with a quick update form each."""
    if request.user.role != Role.LIAISON and not request.user.is_administrator:
        raise Http404
    rows = list(selectors.assignments_of(request.user))
    from django.utils import timezone

    from plans.selectors import open_measures_for

    # The department's help-plan measures (through its referrals), as in the worklist of other roles.
    measures = list(open_measures_for(request.user)[:100])
    return render(
        request,
        "tasks/mine.html",
        {"rows": rows, "form": AssignmentUpdateForm(), "plan_measures": measures, "today": timezone.localdate()},
    )


@login_required
@require_POST
def update(request, pk: int):
    # Another department's assignment is simply not found: nothing is revealed and nothing is written.
    qs = (
        Assignment.objects.all()
        if request.user.is_administrator
        else Assignment.objects.filter(department_id=request.user.department_id or -1)
    )
    assignment = get_object_or_404(qs, pk=pk)
    form = AssignmentUpdateForm(request.POST, request.FILES)
    submitted(
        request, form, lambda: services.assignment_update(user=request.user, assignment=assignment, **form.cleaned_data)
    )
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("Task updated."))
    from django.utils.http import url_has_allowed_host_and_scheme

    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts=None) or not back.startswith("/"):
        back = "/tasks/mine/"  # never off this site (an open redirect), whatever was posted
    return redirect(f"{back}#a{assignment.pk}")


def _visible_assignment(user, pk: int) -> Assignment:
    """Civil affairs and administrators read any assignment; a liaison only their department's (else 404)."""
    qs = Assignment.objects.select_related("task__action__plan__region", "department")
    if not (user.is_administrator or user.role == Role.CIVIL_AFFAIRS):
        qs = qs.filter(department_id=user.department_id or -1)
    return get_object_or_404(qs, pk=pk)


@login_required
def assignment_detail(request, pk: int):
    from django.utils import timezone

    assignment = _visible_assignment(request.user, pk)
    can_update = services.can_update(request.user, assignment)
    form = PeriodRecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_update:
            raise Http404
        done, _record = submitted(
            request,
            form,
            lambda: services.period_record_create(user=request.user, assignment=assignment, **form.cleaned_data),
        )
        if done:
            messages.success(request, _("Recorded."))
            return redirect("tasks:assignment", pk=assignment.pk)
    return render(
        request,
        "tasks/assignment.html",
        {
            "a": assignment,
            "can_update": can_update,
            "form": form,
            "periods": selectors.periods_of(assignment, timezone.localdate()) if assignment.task.recurrence else [],
            "notes": assignment.notes.select_related("created_by"),
            "history": assignment.history.select_related("history_user").order_by("-history_date")[:20],
        },
    )


@login_required
def timeline(request, plan_pk: int):
    from django.utils import timezone

    plan = get_object_or_404(Plan.objects.prefetch_related("phases", "milestones"), pk=plan_pk)
    return render(
        request, "tasks/timeline.html", {"plan": plan, "items": selectors.timeline(plan, timezone.localdate())}
    )


@login_required
def report(request, plan_pk: int):
    from django.utils import timezone

    plan = get_object_or_404(Plan, pk=plan_pk)
    year = timezone.localdate().year
    form = YearlyReportForm(request.POST or None, request.FILES or None)

    def submit():
        try:
            services.yearly_report_submit(user=request.user, plan=plan, year=year, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None

    done, _report = submitted(request, form, submit)
    if done:
        messages.success(request, _("Report submitted."))
        return redirect("tasks:mine")
    reports = YearlyReport.objects.filter(plan=plan, year=year).select_related("department")
    return render(
        request,
        "tasks/report.html",
        {
            "plan": plan,
            "year": year,
            "form": form,
            "submitted": reports,
            "due": rules.report_due(plan.report_deadline, year),
        },
    )


@login_required
def export_xlsx(request, plan_pk: int):
    from django.http import HttpResponse

    from .resources import AssignmentResource

    plan = get_object_or_404(Plan, pk=plan_pk)
    qs = (
        Assignment.objects.filter(task__action__plan=plan)
        .select_related("task__action__plan", "department")
        .order_by("task__action__number", "task__order")
    )
    data = AssignmentResource().export(queryset=qs).export("xlsx")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="task-matrix-{plan.seed}.xlsx"'
    return response


@login_required
def report_pdf(request, plan_pk: int):
    from django.http import HttpResponse
    from django.utils import timezone

    from .pdf import yearly_report_pdf

    if request.user.role not in (Role.CIVIL_AFFAIRS, Role.LIAISON) and not request.user.is_administrator:
        raise Http404
    plan = get_object_or_404(Plan, pk=plan_pk)
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() and 2000 <= int(year_param) <= 2100 else timezone.localdate().year
    response = HttpResponse(yearly_report_pdf(plan, year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="task-report-{plan.seed}-{year}.pdf"'
    return response


@login_required
def import_template(request):
    from django.http import HttpResponse

    from .resources import plan_template

    response = HttpResponse(
        plan_template(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="plan-template.xlsx"'
    return response


@login_required
def import_plan(request):
    """A region loads its own plan from a spreadsheet: check first (nothing written), then import."""
    from . import imports
    from .forms import PlanImportForm

    if request.user.role != Role.CIVIL_AFFAIRS and not request.user.is_administrator:
        raise Http404
    form = PlanImportForm(request.POST or None, request.FILES or None)
    done, report = submitted(request, form, lambda: imports.import_plan(user=request.user, **form.cleaned_data))
    if done and report.ok and not form.cleaned_data["dry_run"]:
        messages.success(request, _("The plan is imported: %(n)d tasks.") % {"n": report.tasks})
        return redirect(f"{reverse('tasks:matrix')}?plan={report.plan_pk}")
    return render(request, "tasks/import.html", {"form": form, "report": report})
