from django import forms
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput

from .models import Site, SiteOpening, SiteStaff
from .rules import SUMMER, WINTER

MAX_AREA_CHOICES = 300


def _area_field(field: forms.ModelChoiceField, areas) -> None:
    """A drop-down for a few areas; for more the area code typed in instead."""
    field.queryset = areas
    if areas[: MAX_AREA_CHOICES + 1].count() > MAX_AREA_CHOICES:
        field.widget = forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 12})
        field.label = _("area code (9 or 12 digits)")
        field.error_messages["invalid_choice"] = _("No area with this code in your areas.")


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["kind", "area", "name", "address", "status", "built_on", "operating_since", "opening_hours", "notes"]
        widgets = {
            "built_on": DateInput,
            "operating_since": DateInput,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a site does not move or change kind
            del self.fields["kind"]
            del self.fields["area"]
        else:
            _area_field(self.fields["area"], areas)


class StaffForm(forms.ModelForm):
    class Meta:
        model = SiteStaff
        fields = ["name", "role", "since"]
        widgets = {"since": DateInput}


class StaffEndForm(forms.Form):
    until = forms.DateField(label=_("until"), widget=DateInput)


class OpeningForm(forms.ModelForm):
    class Meta:
        model = SiteOpening
        fields = ["date", "hours", "children_count", "note"]
        widgets = {"date": DateInput}


class HolidayForm(forms.Form):
    season = forms.ChoiceField(
        label=_("holiday"), choices=[(WINTER, _("winter holiday")), (SUMMER, _("summer holiday"))]
    )
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
