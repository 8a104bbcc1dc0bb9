"""Help-plan pages: thin views over plans.services through the gate (children.access) and config.forms.submitted."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from children import access
from children.paging import CappedPaginator
from config.forms import submitted

from . import selectors, services
from .forms import GoalForm, MeasureDoneForm, MeasureForm, NeedForm, PlanForm, ReviewForm
from .models import HelpPlan, Measure


def _plan(request, child_pk: int, pk: int, *, need=access.Level.ARCHIVE) -> HelpPlan:
    return access.record_for(request, HelpPlan.objects.select_related("lead"), pk, child_pk=child_pk, need=need)


def _to_plan(plan: HelpPlan, anchor: str = ""):
    return redirect(reverse("plans:detail", args=[plan.child_id, plan.pk]) + anchor)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request, child_pk: int):
    """Draw up a plan; from a problem on the archive (`?problem=`) the first need comes filled in."""
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    initial = {"lead": request.user.pk}
    given = request.GET.get("problem", "")
    problem = child.problems.filter(pk=int(given)).first() if given.isdigit() and len(given) < 10 else None
    if problem is not None:
        initial.update(problem=problem.pk, need=problem.description[:300])
    if request.GET.get("kind") in ("general", "return_to_school"):
        initial["kind"] = request.GET["kind"]
    form = PlanForm(request.POST or None, child=child, initial=initial)
    done, plan = submitted(
        request,
        form,
        lambda: services.plan_create(
            user=request.user,
            child=child,
            kind=form.cleaned_data["kind"],
            opened_on=form.cleaned_data["opened_on"],
            lead=form.cleaned_data["lead"],
            summary=form.cleaned_data["summary"],
            next_review_on=form.cleaned_data["next_review_on"],
            school=form.cleaned_data["school"],
            school_contact=form.cleaned_data["school_contact"],
            needs=[form.need_input()],
        ),
    )
    if done:
        messages.success(request, _("Plan drawn up: now set its goals and measures."))
        return _to_plan(plan)
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Draw up a help plan")})


@login_required
def plan_detail(request, child_pk: int, pk: int):
    plan = _plan(request, child_pk, pk)
    child = plan.child
    can_edit = plan.is_open and child.is_open and access.can_edit_child(request.user, child)
    return render(
        request,
        "plans/detail.html",
        {"plan": plan, "child": child, "can_edit": can_edit, **selectors.plan_detail(plan)},
    )


def _plan_part(request, child_pk: int, pk: int, form_class, title: str, action, anchor: str):
    plan = _plan(request, child_pk, pk, need=access.Level.EDIT)
    form = (
        form_class(request.POST or None, plan=plan)
        if form_class is not NeedForm
        else NeedForm(request.POST or None, child=plan.child)
    )
    done, _made = submitted(request, form, lambda: action(plan, form))
    if done:
        messages.success(request, _("Saved."))
        return _to_plan(plan, anchor)
    return render(request, "children/form.html", {"form": form, "child": plan.child, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def need_new(request, child_pk: int, pk: int):
    return _plan_part(
        request,
        child_pk,
        pk,
        NeedForm,
        _("Add a need"),
        lambda plan, form: services.need_add(user=request.user, plan=plan, need=form.need_input()),
        "#needs",
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_new(request, child_pk: int, pk: int):
    return _plan_part(
        request,
        child_pk,
        pk,
        GoalForm,
        _("Add a goal"),
        lambda plan, form: services.goal_add(user=request.user, plan=plan, **form.cleaned_data),
        "#goals",
    )


@login_required
@require_http_methods(["GET", "POST"])
def measure_new(request, child_pk: int, pk: int):
    return _plan_part(
        request,
        child_pk,
        pk,
        MeasureForm,
        _("Add a measure"),
        lambda plan, form: services.measure_add(user=request.user, plan=plan, **form.cleaned_data),
        "#measures",
    )


@login_required
@require_http_methods(["POST"])
def measure_done(request, pk: int):
    """From the worklist or the plan page: the owner (a liaison through the referral) or the child's staff."""
    measure = access.record_for(
        request,
        Measure.objects.select_related("plan__child", "referral"),
        pk,
        need=access.Level.SHARED,
        child_field="plan__child",
    )
    form = MeasureDoneForm(request.POST)
    done, _measure = submitted(
        request,
        form,
        lambda: services.measure_done(user=request.user, measure=measure, result=form.cleaned_data["result"]),
    )
    if done:
        messages.success(request, _("Marked done."))
    else:
        messages.error(request, "；".join(form.non_field_errors()) or _("Not saved."))
    back = request.POST.get("next")
    if back == "plan":
        return _to_plan(measure.plan, f"#measure-{measure.pk}")
    return redirect("tasks:mine" if back == "tasks" else "visits:worklist")


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request, child_pk: int, pk: int):
    plan = _plan(request, child_pk, pk, need=access.Level.EDIT)
    goals = list(plan.goals.all())
    form = ReviewForm(request.POST or None, plan=plan, goals=goals)
    done, review = submitted(
        request,
        form,
        lambda: services.review_create(
            user=request.user,
            plan=plan,
            reviewed_on=form.cleaned_data["reviewed_on"],
            decision=form.cleaned_data["decision"],
            progress=form.progress(),
            notes=form.cleaned_data["notes"],
            next_review_on=form.cleaned_data["next_review_on"],
            close_reason=form.cleaned_data["close_reason"],
            back_to_school_on=form.cleaned_data.get("back_to_school_on"),
        ),
    )
    if done:
        messages.success(request, _("Review saved: %(decision)s.") % {"decision": review.get_decision_display()})
        if review.approval is not None:
            messages.info(request, _("Sent for approval: the plan is closed once it is approved."))
        return _to_plan(plan, "#reviews")
    return render(request, "children/form.html", {"form": form, "child": plan.child, "title": _("Review the plan")})


@login_required
def missing(request):
    """Children who must have a help plan and have none (directors, supervisors, county staff), scoped by the gate."""
    if request.user.role not in selectors.MISSING_ROLES and not request.user.is_administrator:
        raise Http404
    sets = selectors.active_rule_sets()
    page = CappedPaginator(selectors.missing_plans_for(request.user, sets), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for row in rows:
        row.required = selectors.required_for(row, sets)
    access.log_shown(request, [c.pk for c in rows])
    return render(request, "plans/missing.html", {"page": page, "rows": rows, "query": ""})
