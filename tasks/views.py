from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Department, Role
from children.views import _apply_errors

from . import selectors, services
from .forms import AssignmentUpdateForm, MatrixFilterForm
from .models import Assignment, Plan, Status


@login_required
def matrix(request):
    """Tasks by action as rows, departments as columns, each cell coloured by status."""
    plans = Plan.objects.select_related("region")
    chosen = plans.filter(pk=request.GET.get("plan")).first() if request.GET.get("plan", "").isdigit() else None
    plan = chosen or plans.first()
    if plan is None:
        raise Http404(_("No action plan has been loaded."))
    departments = Department.objects.filter(assignments__task__action__plan=plan).distinct().order_by("name")
    form = MatrixFilterForm(request.GET or None, plans=plans, departments=departments, initial={"plan": plan.pk})
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
    return render(request, "tasks/mine.html", {"rows": rows, "form": AssignmentUpdateForm()})


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
    if form.is_valid():
        try:
            services.assignment_update(user=request.user, assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
    else:
        messages.success(request, _("Task updated."))
    return redirect(f"{request.POST.get('next') or '/tasks/mine/'}#a{assignment.pk}")
