"""The one view pattern: a posted, valid form runs a service; what the service refuses is shown on the form.

    done, visit = submitted(request, form, lambda: services.visit_create(user=request.user, ...))
    if done:
        messages.success(request, ...)
        return redirect(...)
    return render(request, template, {"form": form, ...})

A view that needs statements before the service call (form.save(commit=False), a look-up) puts them in a small
local function and passes that as the action: it runs only when the request is a POST and the form is valid.
"""

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest

T = TypeVar("T")

ShowErrors = Callable[[forms.BaseForm, ValidationError], None]


def apply_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """A service's ValidationError shown on the form: on its field where the form has it, else at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def errors_at_top(form: forms.BaseForm, exc: ValidationError) -> None:
    """Every message of a service's ValidationError at the top of the form, whichever field it names."""
    form.add_error(None, exc.messages)


def submitted(
    request: HttpRequest, form: forms.BaseForm, action: Callable[[], T], *, show: ShowErrors = apply_errors
) -> tuple[bool, T | None]:
    """When the request is a POST and the form is valid, run `action` (the service call); a ValidationError it
    raises is shown on the form by `show` (apply_errors: on its field where the form has one, else at the top) and
    nothing is done. Returns (done, the action's result); (False, None) when the action did not run or was refused.
    Other exceptions (PermissionDenied, Http404) pass through."""
    if request.method != "POST" or not form.is_valid():
        return False, None
    try:
        result = action()
    except ValidationError as exc:
        show(form, exc)
        return False, None
    return True, result
