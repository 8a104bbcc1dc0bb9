from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Status


class AssignmentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("evidence (PDF, JPEG or PNG)"), required=False)


class MatrixFilterForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=None, required=False, empty_label=None)
    action = forms.TypedChoiceField(
        label=_("action"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[("", _("All"))] + [(i, str(i)) for i in range(1, 6)],
    )
    department = forms.TypedChoiceField(label=_("department"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All"))] + Status.choices)

    def __init__(self, *args, plans, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["department"].choices = [("", _("All"))] + [(d.pk, d.name) for d in departments]
