"""The one view pattern (config.forms.submitted): a posted, valid form runs the service; what the service refuses
is shown on the form, on its field where the form has one, else at the top."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from config.forms import errors_at_top, submitted


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


class Action:
    """A stand-in for a service call: counts its calls, returns `result` or raises `error`."""

    def __init__(self, result=None, error: Exception | None = None):
        self.calls = 0
        self.result = result
        self.error = error

    def __call__(self):
        self.calls += 1
        if self.error is not None:
            raise self.error
        return self.result


def _post(data: dict):
    return RequestFactory().post("/", data)


def test_a_get_runs_nothing():
    request = RequestFactory().get("/", {"name": "小明"})
    form = NameForm(request.GET)
    action = Action(result="made")
    assert submitted(request, form, action) == (False, None)
    assert action.calls == 0


def test_an_invalid_form_runs_nothing():
    request = _post({"name": ""})
    form = NameForm(request.POST)
    action = Action(result="made")
    assert submitted(request, form, action) == (False, None)
    assert action.calls == 0
    assert "name" in form.errors


def test_success_returns_the_result():
    request = _post({"name": "小明"})
    form = NameForm(request.POST)
    action = Action(result="made")
    assert submitted(request, form, action) == (True, "made")
    assert action.calls == 1
    assert not form.errors


def test_field_errors_go_to_the_field_and_unknown_fields_to_the_top():
    request = _post({"name": "小明"})
    form = NameForm(request.POST)
    action = Action(error=ValidationError({"name": "重名了", "village": "不在本辖区"}))
    assert submitted(request, form, action) == (False, None)
    assert action.calls == 1
    assert form.errors["name"] == ["重名了"]
    assert form.non_field_errors() == ["不在本辖区"]


def test_a_plain_error_goes_to_the_top():
    request = _post({"name": "小明"})
    form = NameForm(request.POST)
    done, result = submitted(request, form, Action(error=ValidationError("已销档")))
    assert (done, result) == (False, None)
    assert form.non_field_errors() == ["已销档"]
    assert "name" not in form.errors


def test_errors_at_top_puts_even_a_known_field_at_the_top():
    request = _post({"name": "小明"})
    form = NameForm(request.POST)
    action = Action(error=ValidationError({"name": "重名了"}))
    assert submitted(request, form, action, show=errors_at_top) == (False, None)
    assert form.non_field_errors() == ["重名了"]
    assert "name" not in form.errors


def test_other_exceptions_pass_through():
    request = _post({"name": "小明"})
    form = NameForm(request.POST)
    with pytest.raises(PermissionDenied):
        submitted(request, form, Action(error=PermissionDenied()))
