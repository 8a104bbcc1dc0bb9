from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Status


class AssignmentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=Status.choices)
    note = forms.CharField(label=_("progress note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("evidence (PDF, JPEG or PNG)"), required=False)


class MatrixFilterForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("plan"), queryset=None, required=False, empty_label=None)
    # 行动: the plan's actions by number and name (the plan's own words), not 1–5.
    action = forms.TypedChoiceField(label=pgettext_lazy("plan", "action"), coerce=int, required=False, empty_value=None)
    department = forms.TypedChoiceField(label=_("department"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("status"), required=False, choices=[("", _("All"))] + Status.choices)

    def __init__(self, *args, plans, departments, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["action"].choices = [("", _("All"))] + [(a.number, f"{a.number}. {a.name}") for a in actions]
        self.fields["department"].choices = [("", _("All"))] + [(d.pk, d.name) for d in departments]


class PeriodRecordForm(forms.Form):
    period_start = forms.DateField(widget=forms.HiddenInput)
    done_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    place = forms.CharField(label=_("place"), max_length=100, required=False)
    children_reached = forms.IntegerField(label=_("children reached"), min_value=0, initial=0)
    guardians_reached = forms.IntegerField(label=_("guardians reached"), min_value=0, initial=0)
    note = forms.CharField(label=_("what was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.FileField(label=_("evidence (PDF, JPEG or PNG)"), required=False)


class YearlyReportForm(forms.Form):
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.FileField(label=_("evidence (PDF, JPEG or PNG)"), required=False)


class PlanImportForm(forms.Form):
    seed = forms.SlugField(
        label=_("plan code"), max_length=20, help_text=_("a short code of your own, e.g. 370283-2024")
    )
    region = forms.CharField(label=_("region code"), max_length=12)
    title = forms.CharField(label=_("title"), max_length=200)
    start_year = forms.IntegerField(label=_("from year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("to year"), min_value=2000, max_value=2100)
    report_deadline = forms.RegexField(label=_("yearly report due (MM-DD)"), regex=r"^\d{2}-\d{2}$", required=False)
    file = forms.FileField(label=_("spreadsheet (.xlsx)"))
    dry_run = forms.BooleanField(label=_("check only, write nothing"), required=False, initial=True)
