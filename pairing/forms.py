from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import AreaLevel, Department
from children import access
from children.forms import DateInput

from .models import Helper, Organisation, PairingContact


class HelperForm(forms.ModelForm):
    class Meta:
        model = Helper
        fields = ["name", "kind", "unit", "department", "county", "phone", "from_on", "to_on", "notes"]
        widgets = {"from_on": DateInput, "to_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Counties of the user's areas; departments of those areas and of the regions above them.
        self.fields["county"].queryset = access.visible_areas(user).filter(level=AreaLevel.COUNTY)
        self.fields["department"].queryset = (
            Department.objects.filter(area__in=access.related_areas(user)).select_related("area").order_by("name")
        )
        self.fields["from_on"].initial = timezone.localdate


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "name",
            "kind",
            "child_welfare",
            "county",
            "registration_number",
            "services",
            "service_area",
            "contact_phone",
            "from_on",
            "to_on",
        ]
        widgets = {"from_on": DateInput, "to_on": DateInput, "services": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "child_welfare": _("Organisations of the child-welfare field count for the yearly check (000 #52)."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = access.visible_areas(user).filter(level=AreaLevel.COUNTY)


class PairingForm(forms.Form):
    helper = forms.ModelChoiceField(label=_("helper"), queryset=None)
    aims = forms.CharField(label=_("help agreed"), max_length=200, required=False)
    from_on = forms.DateField(label=_("paired from"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, helpers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = helpers


class PairingEndForm(forms.Form):
    to_on = forms.DateField(label=_("paired until"), widget=DateInput, initial=timezone.localdate)


class ContactForm(forms.ModelForm):
    class Meta:
        model = PairingContact
        fields = ["contacted_on", "kind", "summary"]
        widgets = {"contacted_on": DateInput, "summary": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate


class QuietForm(forms.Form):
    """The no-contact list's window: the setting by default, another number of days on request."""

    days = forms.IntegerField(label=_("no contact for more than (days)"), min_value=1, max_value=366, required=False)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100, required=False)
