from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Area, AreaLevel
from children.forms import DateInput
from visits.forms import MultipleFileField

from .models import CHECKLIST, Activity, DirectorProfile, Training

MAX_AREA_CHOICES = 300


def _area_field(field: forms.ModelChoiceField, areas) -> None:
    """A drop-down for a few areas; for a city or province (thousands) the area code typed in instead."""
    field.queryset = areas
    if areas[: MAX_AREA_CHOICES + 1].count() > MAX_AREA_CHOICES:
        field.widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12})
        field.label = _("area code (6, 9 or 12 digits)")
        field.error_messages["invalid_choice"] = _("No area with this code in your areas.")


YES_NO = [("", "—"), ("1", _("Yes")), ("0", _("No"))]


class SpotCheckForm(forms.Form):
    county = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("county"))
    per_township = forms.IntegerField(label=_("archives per township"), required=False, min_value=1)
    share_percent = forms.IntegerField(label=_("or a share of each township's archives (%)"), required=False)
    seed = forms.IntegerField(
        label=_("random seed (leave empty for a new draw)"), required=False, min_value=0, max_value=2**62
    )

    def __init__(self, *args, counties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = counties


class ItemForm(forms.Form):
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    finding = forms.CharField(
        label=_("finding for the director (required when a check fails)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(label=_("to be corrected by"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        checks = {
            name: forms.TypedChoiceField(
                label=label, choices=YES_NO, coerce=lambda v: v == "1", empty_value=None, required=False
            )
            for name, label in CHECKLIST
        }
        self.fields = {**checks, **self.fields}


class FindingCloseForm(forms.Form):
    note = forms.CharField(label=_("what was corrected"), max_length=300)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = DirectorProfile
        fields = [
            "appointed_on",
            "contact",
            "qualification",
            "certificate_number",
            "entry_checked_on",
            "entry_check_result",
            "notes",
        ]
        widgets = {"appointed_on": DateInput, "entry_checked_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["course", "date", "hours", "exam_result"]
        widgets = {"date": DateInput}


class EvaluationForm(forms.Form):
    satisfaction = forms.IntegerField(label=_("satisfaction of the families served (0–100)"))
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityForm(forms.ModelForm):
    participants = forms.CharField(
        label=_("children who took part (ID numbers, one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    photos = MultipleFileField(label=_("photos (JPEG or PNG)"), required=False)

    class Meta:
        model = Activity
        fields = [
            "kind",
            "date",
            "area",
            "place",
            "organiser_department",
            "organiser",
            "site",
            "topic",
            "guardians",
            "guardian_count",
        ]
        widgets = {"date": DateInput, "guardians": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, areas, departments, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        _area_field(self.fields["area"], areas)
        self.fields["organiser_department"].queryset = departments
        self.fields["site"].queryset = sites if sites is not None else self.fields["site"].queryset.none()
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())


class ListUploadForm(forms.Form):
    title = forms.CharField(label=_("list"), max_length=200)
    source = forms.CharField(label=_("source (e.g. school, police station)"), max_length=100, required=False)
    area = forms.ModelChoiceField(queryset=Area.objects.none(), label=_("area"))
    file = forms.FileField(label=_("file (.xlsx or .csv with at least name and ID number)"))

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        _area_field(self.fields["area"], areas.exclude(level=AreaLevel.VILLAGE))


class AssignForm(forms.Form):
    director = forms.ChoiceField(label=_("director"))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["director"].choices = choices


class ScreenOutForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)
