from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Area
from children.categories import Category
from children.forms import DateInput

from . import rules
from .models import RECORDED_FIELDS, ContactChannel, OnlineConcern, Rating, ScreeningCampaign, Visit, VisitKind

RATING_FIELDS = ("living_conditions", "caregiver_status", "mood", "study", "health")


class DateTimeInput(forms.DateTimeInput):
    """A date and time typed as 2026-11-29 14:30 (the Chinese order), not the browser's own date-time picker, whose
    format follows the browser's language (mm/dd/yyyy on an English one). The server parses it
    (DATETIME_INPUT_FORMATS)."""

    input_type = "text"

    def __init__(self, attrs=None, **kwargs):
        attrs = {
            "placeholder": "2026-11-29 14:30",
            "autocomplete": "off",
            "data-type": "datetime",
            "maxlength": 16,
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%Y-%m-%d %H:%M", **kwargs)


class SegmentedRadio(forms.RadioSelect):
    """Choices drawn as a row of large buttons (app.css .segmented); nothing chosen until the user taps one."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "segmented", **(attrs or {})}, choices=choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        # capture: a phone offers its camera first; data-preview: static/js/ui.js shows the pictures chosen
        attrs = {"accept": "image/jpeg,image/png", "capture": "environment", "data-preview": ""}
        kwargs.setdefault("widget", MultipleFileInput(attrs=attrs))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


YES_NO_UNKNOWN = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]

# The visit form in short sections (issue 17): who and when; the child; the family and caregiver; safety; follow-up.
# Fields a form lacks (household for an only child, version on a new visit) are left out of their section.
SECTIONS = [
    (_("Who and when"), ("kind", "visited_at", "met_whom", "channel", "household")),
    (_("The child"), ("mood", "study", "health", "observations")),
    (_("The family and caregiver"), ("living_conditions", "caregiver_status", "caregiver_unable", "parents_contacted")),
    (_("Safety"), ("safety_hazards", "harm_found", "online_concern")),
    (_("Follow-up"), ("problems_found", "help_given", "follow_up_needed", "follow_up", "photos")),
]


class VisitForm(forms.ModelForm):
    """What each kind of visit must fill comes from visits.rules.REQUIRED_FIELDS (the service enforces it): the form
    marks those fields for the kind chosen (a new form: a home visit) and says under the others which kinds need them.
    Ratings are radio buttons with no blank choice and nothing chosen in advance: the director must choose."""

    required_css_class = "required"
    parents_contacted = forms.TypedChoiceField(
        label=_("parents contacted the child in the past week"),
        choices=YES_NO_UNKNOWN,
        required=False,
        coerce=lambda v: v == "true",
        empty_value=None,
        widget=SegmentedRadio,
    )
    household = forms.ModelMultipleChoiceField(
        label=_("also for these children of the household"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    photos = MultipleFileField(label=_("photos (JPEG or PNG)"), required=False)
    # The visit's version when an edit form was opened, for optimistic locking (visits.services.visit_update).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Visit
        fields = RECORDED_FIELDS
        widgets = {
            "visited_at": DateTimeInput,
            "observations": forms.Textarea(attrs={"rows": 2}),
            "problems_found": forms.Textarea(attrs={"rows": 2}),
            "help_given": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, household_qs=None, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels above their fields need no colon (docs/design.md)
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            self.fields["visited_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if household_qs is not None and household_qs.exists():
            self.fields["household"].queryset = household_qs
        else:
            del self.fields["household"]
        for name in RATING_FIELDS:
            self.fields[name].choices = Rating.choices  # no "---------": nothing is chosen until the director does
            self.fields[name].widget = SegmentedRadio(choices=Rating.choices)
        self.fields["channel"].choices = ContactChannel.choices
        self.fields["channel"].widget = SegmentedRadio(choices=ContactChannel.choices)
        self.fields["safety_hazards"].help_text = _("Write “none” if you saw none.")
        # No "---------": "none seen" is an answer of its own, chosen until the director picks a risk.
        online = [("", _("None seen")), *OnlineConcern.choices]
        self.fields["online_concern"].choices = online
        self.fields["online_concern"].widget = SegmentedRadio(choices=online)
        self._mark_required()

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The form's fields in the sections of SECTIONS, for the template (visits/visit_form.html)."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in SECTIONS]

    def _mark_required(self) -> None:
        kind = self.data.get("kind") if self.is_bound else (self.instance.kind or VisitKind.HOME)
        needed = rules.REQUIRED_FIELDS.get(kind, ())
        labels = dict(VisitKind.choices)
        for name, message in rules.REQUIRED_MESSAGES.items():
            field = self.fields[name]
            field.required = name in needed
            field.error_messages["required"] = message
            kinds = rules.kinds_requiring(name)
            if len(kinds) < len(rules.REQUIRED_FIELDS):
                note = _("Required for: %(kinds)s") % {"kinds": "、".join(str(labels[k]) for k in kinds)}
                field.help_text = f"{field.help_text} {note}".strip()


class CampaignForm(forms.ModelForm):
    class Meta:
        model = ScreeningCampaign
        fields = ["name", "area", "starts_on", "deadline"]
        widgets = {"starts_on": DateInput, "deadline": DateInput}

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas if areas is not None else Area.objects.none()


class NoReportForm(forms.Form):
    reason = forms.CharField(
        label=_("why no mandatory report is needed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the archive with your name and the time."),
    )


class ConfirmForm(forms.Form):
    still_eligible = forms.BooleanField(label=_("still eligible"), required=False, initial=True)
    data_current = forms.BooleanField(label=_("archive data checked and current"), required=False, initial=True)
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class ProposalConfirmForm(forms.Form):
    """End the categories a screening proposed ending (those the director ticks)."""

    categories = forms.MultipleChoiceField(label=_("categories to end"), widget=forms.CheckboxSelectMultiple)
    ended_on = forms.DateField(label=_("categories ended on"), widget=DateInput)

    def __init__(self, *args, proposal=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Category.choices)
        codes = proposal.category_codes if proposal else []
        self.fields["categories"].choices = [(c, labels.get(c, c)) for c in codes]
        self.fields["categories"].initial = codes
        self.fields["ended_on"].initial = timezone.localdate()


class ProposalDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("why the categories stay"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the proposal, with your name and the time."),
    )
