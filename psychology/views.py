"""The psychological record of a child: every view reaches the child through psychology.access.child_for (the
archive's gate at the level the role needs, then the need-to-know rule)."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from children import access as child_access
from config.forms import submitted

from . import access, selectors, services
from .forms import FollowUpForm, ReferForm, ScreeningForm, SessionForm

REFERRAL_DAYS = 14  # the referral form's default due date: two weeks (a local choice, changed on the form)


@login_required
def record(request, child_pk: int):
    child = access.child_for(request, child_pk)
    return render(
        request,
        "psychology/record.html",
        {
            "child": child,
            "screenings": selectors.screenings_of(child),
            "sessions": selectors.sessions_of(child),
            "may_write": access.may_write(request.user, child),
        },
    )


def _form_page(request, child, form, title):
    return render(request, "psychology/form.html", {"child": child, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request, child_pk: int):
    child = access.child_for(request, child_pk, write=True)
    form = ScreeningForm(request.POST or None)
    done, screening = submitted(
        request,
        form,
        lambda: services.screening_record(user=request.user, child=child, screening=form.save(commit=False)),
    )
    if done:
        messages.success(request, _("Screening recorded."))
        if screening.proposal_id:
            messages.info(request, _("The psychological category is proposed: confirm or dismiss it on the archive."))
        if screening.level != "normal":
            return redirect("psychology:refer", child_pk=child.pk)
        return redirect("psychology:record", child_pk=child.pk)
    return _form_page(request, child, form, _("Record a psychological screening"))


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request, child_pk: int):
    child = access.child_for(request, child_pk, write=True)
    form = FollowUpForm(request.POST or None, screenings=selectors.open_follow_ups(child))

    def done_():
        data = form.cleaned_data
        return services.follow_up_done(user=request.user, screening=data["screening"], on=data["on"], note=data["note"])

    done, _screening = submitted(request, form, done_)
    if done:
        messages.success(request, _("Follow-up recorded."))
        return redirect("psychology:record", child_pk=child.pk)
    return _form_page(request, child, form, _("Record a follow-up"))


@login_required
@require_http_methods(["GET", "POST"])
def refer(request, child_pk: int):
    """The referral a screening that found a difficulty proposes: to the health commission by default."""
    child = access.child_for(request, child_pk, write=True)
    screenings = selectors.referable(child)
    departments = selectors.referral_departments(child)
    initial = {
        "screening": screenings.first(),
        "department": departments.first(),
        "due_on": timezone.localdate() + datetime.timedelta(days=REFERRAL_DAYS),
    }
    form = ReferForm(request.POST or None, screenings=screenings, departments=departments, initial=initial)

    def send():
        data = form.cleaned_data
        return services.screening_refer(
            user=request.user,
            screening=data["screening"],
            department=data["department"],
            reason=data["reason"],
            due_on=data["due_on"],
        )

    done, _referral = submitted(request, form, send)
    if done:
        messages.success(request, _("Referral sent."))
        return redirect("psychology:record", child_pk=child.pk)
    return _form_page(request, child, form, _("Refer for psychological counselling or treatment"))


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, child_pk: int):
    child = access.child_for(request, child_pk, write=True)
    form = SessionForm(request.POST or None)
    done, _session = submitted(
        request, form, lambda: services.session_record(user=request.user, child=child, session=form.save(commit=False))
    )
    if done:
        messages.success(request, _("Counselling session recorded."))
        return redirect("psychology:record", child_pk=child.pk)
    return _form_page(request, child, form, _("Record a counselling session"))


@login_required
def follow_ups(request):
    """The open follow-ups of the screenings the user may read."""
    if not (request.user.role in child_access.AREA_ROLES and not request.user.is_superuser):
        raise Http404
    today = timezone.localdate()
    page = Paginator(selectors.follow_ups_due(request.user, today), settings.LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    child_access.log_shown(request, [s.child_id for s in page])
    return render(request, "psychology/follow_ups.html", {"page": page, "today": today})
