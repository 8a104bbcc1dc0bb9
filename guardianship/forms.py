from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput


class AssessmentForm(forms.Form):
    """One radio group per item of the instrument, then the narrative."""

    assessed_on = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.item_fields = []
        for dim in instrument.dimensions.prefetch_related("items__options"):
            for item in dim.items.all():
                name = f"item_{item.pk}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"{dim.name} · {item.text}",
                    coerce=int,
                    widget=forms.RadioSelect,
                    choices=[(o.pk, f"{o.label}（{o.score}）") for o in item.options.all()],
                    error_messages={"required": _("Answer this question.")},
                )
                self.item_fields.append((item.pk, name))
        self.fields["narrative"] = forms.CharField(
            label=_("assessment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["measures"] = forms.CharField(
            label=_("recommended measures"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )
        self.fields["next_on"] = forms.DateField(label=_("reassess by"), required=False, widget=DateInput)

    def answers(self) -> dict[int, int]:
        return {item_pk: self.cleaned_data[name] for item_pk, name in self.item_fields}


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ReportForm(forms.ModelForm):
    area_code = forms.CharField(
        label=_("area code where found"),
        max_length=12,
        required=False,
        help_text=_("Only when the child is not registered."),
    )

    class Meta:
        from .models import Report

        model = Report
        fields = [
            "child_description",
            "source",
            "found_at",
            "what_found",
            "harm_type",
            "reported_to",
            "reported_at",
            "handling_department",
        ]
        widgets = {
            "found_at": DateTimeInput,
            "reported_at": DateTimeInput,
            "what_found": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, child=None, **kwargs):
        from .reports import handling_department_choices

        super().__init__(*args, **kwargs)
        self.child = child
        if child is not None:
            del self.fields["area_code"]
            del self.fields["child_description"]
        # Departments of the child's county, city and province (the service refuses any other).
        self.fields["handling_department"].queryset = handling_department_choices(user, child)
        now = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["found_at"].initial = self.fields["found_at"].initial or now
        self.fields["reported_at"].initial = now

    def clean_area_code(self):
        from accounts.models import Area

        code = self.cleaned_data.get("area_code")
        if self.child is None:
            area = Area.objects.filter(code=code).first() if code else None
            if area is None:
                raise forms.ValidationError(_("Give the code of the village or area where the child was found."))
            return area
        return None


class ReportMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("status"))
    handling_steps = forms.CharField(
        label=_("handling steps"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    outcome = forms.CharField(label=_("outcome"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reporter_informed = forms.BooleanField(label=_("reporter told the outcome"), required=False)

    def __init__(self, *args, report, **kwargs):
        from .models import ReportStatus
        from .rules import REPORT_TRANSITIONS

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, ReportStatus(s).label) for s in sorted(REPORT_TRANSITIONS[report.status])]


class ReferralForm(forms.ModelForm):
    """To a department or to a social organisation / social-work agency: one of the two."""

    class Meta:
        from .models import Referral

        model = Referral
        fields = ["department", "organisation", "service", "reason", "due_on"]
        widgets = {"due_on": DateInput, "reason": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"organisation": _("Or, instead of a department, a social organisation or social-work agency.")}

    def __init__(self, *args, child, **kwargs):
        from pairing.selectors import referral_organisations

        from .reports import handling_departments

        super().__init__(*args, **kwargs)
        # Departments of the child's county, city and province (the rule shared with mandatory reports).
        self.fields["department"].queryset = (
            handling_departments(child.village_id).select_related("area").order_by("area__code", "name")
        )
        # Organisations serving now in the child's county or city (the rule's one home is in pairing.selectors).
        self.fields["organisation"].queryset = referral_organisations(child.village_id, timezone.localdate())


class ReferralMoveForm(forms.Form):
    status = forms.ChoiceField(label=_("status"))
    note = forms.CharField(label=_("result or reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, referral, **kwargs):
        from .models import ReferralStatus
        from .rules import REFERRAL_TRANSITIONS

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (s, ReferralStatus(s).label) for s in sorted(REFERRAL_TRANSITIONS[referral.status])
        ]


class InterventionForm(forms.ModelForm):
    # For temporary guardianship: where the child is placed (opens the child's placement history).
    institution = forms.CharField(
        label=_("placed with whom"),
        max_length=100,
        required=False,
        help_text=_("Temporary guardianship: the relatives, the foster family or the institution."),
    )
    address = forms.CharField(label=_("where"), max_length=200, required=False)

    class Meta:
        from .models import Intervention

        model = Intervention
        fields = [
            "kind",
            "placement",
            "issuing_body",
            "issued_on",
            "ends_on",
            "review_on",
            "active",
            "notes",
            "document",
        ]
        widgets = {
            "issued_on": DateInput,
            "ends_on": DateInput,
            "review_on": DateInput,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class ConferenceForm(forms.Form):
    DECISIONS = 3
    held_on = forms.DateField(label=_("held on"), widget=DateInput, initial=timezone.localdate)
    participants = forms.CharField(
        label=_("participants (departments and people)"), widget=forms.Textarea(attrs={"rows": 2})
    )
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, self.DECISIONS + 1):
            self.fields[f"decision_{i}"] = forms.CharField(
                label=_("decision %(n)d") % {"n": i}, max_length=300, required=i == 1
            )
            self.fields[f"owner_{i}"] = forms.ModelChoiceField(label=_("owner"), queryset=owners, required=i == 1)
            self.fields[f"due_{i}"] = forms.DateField(label=_("due by"), widget=DateInput, required=i == 1)

    def clean(self):
        cleaned = super().clean()
        for i in range(1, self.DECISIONS + 1):
            parts = [cleaned.get(f"decision_{i}"), cleaned.get(f"owner_{i}"), cleaned.get(f"due_{i}")]
            if any(parts) and not all(parts):
                self.add_error(f"decision_{i}", _("Give the decision, its owner and its due date."))
        return cleaned

    def decisions(self):
        return [
            (self.cleaned_data[f"decision_{i}"], self.cleaned_data[f"owner_{i}"], self.cleaned_data[f"due_{i}"])
            for i in range(1, self.DECISIONS + 1)
            if self.cleaned_data.get(f"decision_{i}")
        ]


class PlacementForm(forms.ModelForm):
    class Meta:
        from .models import TemporaryPlacement

        model = TemporaryPlacement
        fields = ["kind", "institution", "address", "from_on", "review_on", "notes"]
        widgets = {"from_on": DateInput, "review_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}


class PlacementEndForm(forms.Form):
    to_on = forms.DateField(label=_("until"), widget=DateInput, initial=timezone.localdate)
