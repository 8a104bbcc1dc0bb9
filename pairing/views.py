from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.models import Role
from children import access
from config.forms import submitted

from . import selectors, services
from .forms import ContactForm, HelperForm, OrganisationForm, PairingEndForm, PairingForm, QuietForm, YearForm


def _registry_keeper(request) -> None:
    if not selectors.keeps_registry(request.user):
        raise Http404


def _page(request, queryset):
    return Paginator(queryset, settings.LIST_PAGE_SIZE).get_page(request.GET.get("page"))


# --- Registries (civil affairs) -----------------------------------------------------------------------------------


@login_required
def helper_list(request):
    """The helpers of the user's counties (a liaison: their department's helpers, read only)."""
    if not (selectors.keeps_registry(request.user) or request.user.role == Role.LIAISON):
        raise Http404
    page = _page(request, selectors.helpers_for(request.user).order_by("county_id", "name", "pk"))
    return render(
        request, "pairing/helper_list.html", {"page": page, "can_edit": selectors.keeps_registry(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def helper_edit(request, pk: int | None = None):
    _registry_keeper(request)
    helper = None
    if pk is not None:
        helper = selectors.helpers_for(request.user).filter(pk=pk).first()
        if helper is None:
            raise Http404
    form = HelperForm(request.POST or None, instance=helper, user=request.user)
    done, _saved = submitted(
        request, form, lambda: services.helper_save(user=request.user, helper=form.save(commit=False))
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("pairing:helpers")
    title = _("Change the helper") if helper else _("Register a helper")
    return render(request, "pairing/registry_form.html", {"form": form, "title": title, "back": "pairing:helpers"})


@login_required
def organisation_list(request):
    _registry_keeper(request)
    page = _page(request, selectors.organisations_for(request.user).order_by("county_id", "name", "pk"))
    return render(request, "pairing/organisation_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk: int | None = None):
    _registry_keeper(request)
    organisation = None
    if pk is not None:
        organisation = selectors.organisations_for(request.user).filter(pk=pk).first()
        if organisation is None:
            raise Http404
    form = OrganisationForm(request.POST or None, instance=organisation, user=request.user)
    done, _saved = submitted(
        request,
        form,
        lambda: services.organisation_save(user=request.user, organisation=form.save(commit=False)),
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("pairing:organisations")
    title = _("Change the organisation") if organisation else _("Register a social organisation")
    return render(
        request, "pairing/registry_form.html", {"form": form, "title": title, "back": "pairing:organisations"}
    )


@login_required
def counties_without_organisation(request):
    """The counties of the user's areas that fostered no child-welfare organisation this year (000 #52)."""
    _registry_keeper(request)
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["year"]:
        year = form.cleaned_data["year"]
    rows = list(selectors.counties_without_fostering(request.user, year=year))
    return render(request, "pairing/counties_missed.html", {"rows": rows, "year": year, "form": form})


# --- Pairings (records hanging off a child) ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def pairing_new(request, child_pk: int):
    child = access.child_for(request, child_pk, need=access.Level.EDIT)
    form = PairingForm(request.POST or None, helpers=selectors.helpers_for_child(child, timezone.localdate()))
    done, _pairing = submitted(
        request, form, lambda: services.pairing_create(user=request.user, child=child, **form.cleaned_data)
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect(f"{reverse('children:detail', args=[child.pk])}#pairings")
    return render(request, "children/form.html", {"form": form, "child": child, "title": _("Pair with a helper")})


def _pairing(request, pk: int):
    # Who reads a pairing is decided by its selector (the child's area, or the helper's department); the gate logs.
    return access.record_for(request, selectors.pairings_for(request.user), pk, need=access.Level.NONE)


@login_required
def pairing_detail(request, pk: int):
    pairing = _pairing(request, pk)
    return render(
        request,
        "pairing/pairing_detail.html",
        {
            "p": pairing,
            "contacts": list(selectors.contacts_of(pairing)),
            "can_record": pairing.is_current and selectors.can_record_contact(request.user, pairing),
            "can_end": pairing.is_current and access.can_edit_child(request.user, pairing.child),
            "shows_archive": access.level_for(request.user, pairing.child) >= access.Level.ARCHIVE,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request, pk: int):
    pairing = _pairing(request, pk)
    if not selectors.can_record_contact(request.user, pairing):
        raise Http404
    form = ContactForm(request.POST or None)
    done, _contact = submitted(
        request, form, lambda: services.contact_record(user=request.user, pairing=pairing, **form.cleaned_data)
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("pairing:pairing", pk=pairing.pk)
    return render(request, "pairing/pairing_form.html", {"form": form, "p": pairing, "title": _("Record a contact")})


@login_required
@require_http_methods(["GET", "POST"])
def pairing_end(request, pk: int):
    pairing = _pairing(request, pk)
    if not access.can_edit_child(request.user, pairing.child):
        raise Http404
    form = PairingEndForm(request.POST or None)
    done, _ended = submitted(
        request, form, lambda: services.pairing_end(user=request.user, pairing=pairing, **form.cleaned_data)
    )
    if done:
        messages.success(request, _("Saved."))
        return redirect("pairing:pairing", pk=pairing.pk)
    return render(request, "pairing/pairing_form.html", {"form": form, "p": pairing, "title": _("End the pairing")})


@login_required
def quiet_pairings(request):
    """Current pairings with no contact for more than N days (settings.PAIRING_NO_CONTACT_DAYS unless asked)."""
    form = QuietForm(request.GET or None)
    days = settings.PAIRING_NO_CONTACT_DAYS
    if form.is_valid() and form.cleaned_data["days"]:
        days = form.cleaned_data["days"]
    qs = selectors.quiet_pairings_for(request.user, today=timezone.localdate(), days=days)
    page = _page(request, qs)
    access.log_shown(request, [p.child_id for p in page])
    return render(request, "pairing/quiet.html", {"page": page, "days": days, "form": form})
