from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from children import access
from children.views import _apply_errors

from . import rules, services
from .forms import AssessmentForm
from .models import Assessment, Instrument


@login_required
@require_http_methods(["GET", "POST"])
def assessment_new(request, child_pk: int):
    child = access.get_child_for_user(request.user, child_pk)
    if not access.can_edit_child(request.user, child):
        raise PermissionDenied(_("You may read this archive but not change it."))
    instrument = Instrument.objects.filter(active=True).order_by("-id").first()
    form = AssessmentForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        try:
            a = services.assessment_create(
                user=request.user,
                child=child,
                instrument=instrument,
                answers=form.answers(),
                assessed_on=form.cleaned_data["assessed_on"],
                narrative=form.cleaned_data["narrative"],
                measures=form.cleaned_data["measures"],
                next_on=form.cleaned_data["next_on"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
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
    child = access.get_child_for_user(request.user, child_pk)
    a = get_object_or_404(Assessment.objects.select_related("instrument", "assessor"), child=child, pk=pk)
    answers = a.answers.select_related("item__dimension", "option").order_by("item__dimension__order", "item__order")
    return render(
        request,
        "guardianship/assessment_detail.html",
        {"child": child, "a": a, "answers": answers, "colour": rules.PROPOSED_COLOUR[a.grade]},
    )
