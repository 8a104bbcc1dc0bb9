import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from accounts.models import Area, User

from . import access, idnumber, privacy
from .categories import Category
from .models import (
    CareRecord,
    Child,
    ChildCategory,
    CloseReason,
    Colour,
    EntrustedCare,
    FamilyMember,
    ParentSituation,
    Problem,
    WelfareCoverage,
    WorkLogEntry,
)


class DateInput(forms.DateInput):
    """A date typed as 2026-11-29 (the Chinese order, the one date format of the project: docs/design.md), not the
    browser's date picker, whose format follows the browser's language (mm/dd/yyyy on an English one). The server
    parses it (DATE_INPUT_FORMATS, which also take 2026/11/29)."""

    input_type = "text"

    def __init__(self, attrs=None, **kwargs):
        attrs = {
            "placeholder": "2026-11-29",
            "autocomplete": "off",
            "data-type": "date",
            "maxlength": 10,
            **(attrs or {}),
        }
        super().__init__(attrs=attrs, format="%Y-%m-%d", **kwargs)


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        parent = obj.parent.name if obj.parent_id else ""
        return f"{parent} {obj.name}".strip()


class VillageCodeField(forms.CharField):
    """A village named by its 12-digit code, limited to the given villages."""

    def __init__(self, *, villages, **kwargs):
        super().__init__(max_length=12, min_length=12, **kwargs)
        self.villages = villages

    def clean(self, value):
        code = super().clean(value)
        village = self.villages.filter(code=code).first()
        if village is None:
            raise ValidationError(_("No village with this code in your area."))
        return village


class IdNumberField(forms.CharField):
    """Accepts full-width digits, a lowercase x and spaces; cleans to the normalised 18 characters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return ""
        return idnumber.parse(value, today=timezone.localdate()).number


MASKED_HELP = _(
    "Partly hidden. Leave it as shown to keep the number on file, or type the whole new number to change it."
)


def _no_hidden_digits(value: str) -> None:
    if value and "*" in value:
        raise ValidationError(
            _("Type the whole number: the * stand for hidden digits and cannot be saved."), code="masked"
        )


class MaskedTextInput(forms.TextInput):
    """A text input over a stored number the user may not see in full: it shows the masked number, and a posted
    value equal to that masked number reads as the stored number (left unchanged)."""

    def __init__(self, attrs=None, *, stored: str, kind: str):
        super().__init__(attrs)
        self.stored, self.kind = stored, kind

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return self.stored if privacy.is_masked_display(value, self.stored, self.kind) else value

    def format_value(self, value):
        if value is not None and str(value) == self.stored:
            value = privacy.mask(self.stored, self.kind)
        return super().format_value(value)


class MaskedFieldsMixin:
    """For model forms of child records: the sensitive fields of the model (children.privacy) are shown masked to
    a user who may not see them in full, and to no user at all (`user=None`). Posting the masked number back keeps
    the stored number; any other value is validated and saved as the new number, so such a user can still correct
    a number by typing it whole. Fields named in `hidden_when_masked` are left out instead for such a user."""

    hidden_when_masked: tuple[str, ...] = ()

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.masked_fields: dict[str, str] = {}  # field name -> the stored number it stands for
        sensitive = privacy.sensitive_fields(self._meta.model)
        for name in sensitive:
            if name in self.fields:
                self.fields[name].validators.append(_no_hidden_digits)
        if privacy.sees_full(user):
            return
        for name, kind in sensitive.items():
            stored = getattr(self.instance, name, "") or ""
            if name not in self.fields or not stored:
                continue  # nothing stored yet: nothing to hide (the user types the number)
            if name in self.hidden_when_masked:
                del self.fields[name]
                continue
            field = self.fields[name]
            field.widget = MaskedTextInput(field.widget.attrs, stored=stored, kind=kind)
            field.widget.is_required = field.required
            field.help_text = MASKED_HELP
            self.initial[name] = privacy.mask(stored, kind)
            self.masked_fields[name] = stored

    @cached_property
    def changed_data(self):
        """A masked number posted back unchanged is not a change."""
        changed = super().changed_data
        return [
            name
            for name in changed
            if name not in self.masked_fields
            or self[name].field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            != self.masked_fields[name]
        ]


class ChildRecordForm(MaskedFieldsMixin, forms.ModelForm):
    """A model form of a child's archive or one of its records; takes the requesting user as `user`."""


class ChildForm(ChildRecordForm):
    """Basic information. Sex and date of birth are read from the ID number."""

    id_number = IdNumberField(label=_("ID number"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Child
        fields = [
            "name",
            "id_number",
            "address",
            "ethnicity",
            "enrolment",
            "school",
            "grade",
            "health",
            "health_notes",
            "disability",
            "disability_grade",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    # Roles that see masked numbers neither see nor change a registered child's number (registering, they type it).
    hidden_when_masked = ("id_number",)

    def __init__(self, *args, user: User | None = None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number:
            info = idnumber.parse(number)
            self.instance.sex = info.sex
            self.instance.birth_date = info.birth_date
        if cleaned.get("disability") and not cleaned.get("disability_grade"):
            self.add_error("disability_grade", _("Give the disability grade."))
        return cleaned


class ChildRegisterForm(ChildForm):
    """Registration also places the child in a village (later moves are transfers, which keep history)."""

    categories = forms.MultipleChoiceField(
        label=_("categories"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one category.")},
    )
    colour = forms.ChoiceField(label=_("colour grade"), choices=Colour.choices, initial=Colour.GREEN)
    registered_on = forms.DateField(label=_("registered on"), widget=DateInput, required=False)
    confirm_not_duplicate = forms.BooleanField(
        label=_("I have checked: this is not the same child as the possible duplicate"), required=False
    )

    class Meta(ChildForm.Meta):
        fields = ["name", "id_number", "village", *ChildForm.Meta.fields[2:]]

    MAX_VILLAGE_CHOICES = 300

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        villages = access.visible_villages(user).select_related("parent")
        if villages[: self.MAX_VILLAGE_CHOICES + 1].count() > self.MAX_VILLAGE_CHOICES:
            # A city or province: no drop-down of thousands of villages; the village's code instead.
            self.fields["village"] = VillageCodeField(villages=villages, label=_("village code (12 digits)"))
            self.order_fields(["name", "id_number", "village"])
            return
        self.fields["village"] = VillageChoiceField(queryset=villages, label=_("village"))
        if not self.is_bound:
            first_two = list(villages[:2])
            if len(first_two) == 1:
                self.fields["village"].initial = first_two[0].pk
        self.order_fields(["name", "id_number", "village"])

    def clean_registered_on(self):
        value = self.cleaned_data.get("registered_on") or timezone.localdate()
        if value > timezone.localdate():
            raise ValidationError(_("The registration date cannot be in the future."))
        return value


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason for closing"), choices=CloseReason.choices)
    closed_on = forms.DateField(label=_("closed on"), widget=DateInput, initial=timezone.localdate)
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class TransferForm(forms.Form):
    """A child moving to any village in the country, named by its 12-digit code (the receiving area then
    sees the child; the sender keeps nothing but the history it already had)."""

    to_village = forms.CharField(label=_("code of the receiving village (12 digits)"), max_length=12, min_length=12)
    transferred_on = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_to_village(self):
        from accounts.models import AreaLevel

        village = Area.objects.filter(code=self.cleaned_data["to_village"], level=AreaLevel.VILLAGE).first()
        if village is None:
            raise ValidationError(_("No village has this code."))
        return village

    def clean_transferred_on(self):
        value = self.cleaned_data["transferred_on"]
        if value > timezone.localdate():
            raise ValidationError(_("This date cannot be in the future."))
        return value


class ColourForm(forms.Form):
    colour = forms.ChoiceField(label=_("colour grade"), choices=Colour.choices)
    on = forms.DateField(label=_("date"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("reason"), max_length=200)


class CategoryAddForm(forms.ModelForm):
    class Meta:
        model = ChildCategory
        fields = ["category", "started_on", "note"]
        widgets = {"started_on": DateInput}


class CategoryEndForm(forms.Form):
    ended_on = forms.DateField(label=_("until"), widget=DateInput, initial=timezone.localdate)


def _not_future(value: datetime.date | None, field: str, form: forms.BaseForm) -> None:
    if value and value > timezone.localdate():
        form.add_error(field, _("This date cannot be in the future."))


class FamilyMemberForm(ChildRecordForm):
    id_number = IdNumberField(label=_("ID number"), required=False)

    class Meta:
        model = FamilyMember
        fields = [
            "relation",
            "name",
            "id_number",
            "phone",
            "is_guardian",
            "situation",
            "work_destination",
            "away_since",
            "contact_frequency",
            "note",
        ]
        widgets = {"away_since": DateInput}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("situation") == ParentSituation.WORKING_AWAY and not cleaned.get("work_destination"):
            self.add_error("work_destination", _("Say where this person works."))
        _not_future(cleaned.get("away_since"), "away_since", self)
        return cleaned


class EntrustedCareForm(ChildRecordForm):
    id_number = IdNumberField(label=_("ID number"), required=False)

    class Meta:
        model = EntrustedCare
        fields = [
            "caregiver_name",
            "relation",
            "phone",
            "id_number",
            "agreement_signed",
            "agreement_date",
            "agreement_scan",
        ]
        widgets = {"agreement_date": DateInput}

    def clean_agreement_scan(self):
        from .uploads import check_upload

        upload = self.cleaned_data.get("agreement_scan")
        if upload and hasattr(upload, "content_type"):
            check_upload(upload, kinds={"pdf", "jpeg", "png"})
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("agreement_signed") and not cleaned.get("agreement_date"):
            self.add_error("agreement_date", _("Give the date the agreement was signed."))
        _not_future(cleaned.get("agreement_date"), "agreement_date", self)
        return cleaned


class WelfareForm(ChildRecordForm):
    class Meta:
        model = WelfareCoverage
        fields = ["kind", "started_on", "ended_on", "monthly_amount", "note"]
        widgets = {"started_on": DateInput, "ended_on": DateInput}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_on"), cleaned.get("ended_on")
        if start and end and end < start:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return cleaned


class ProblemForm(ChildRecordForm):
    class Meta:
        model = Problem
        fields = ["found_on", "description", "solution", "resolved_on"]
        widgets = {
            "found_on": DateInput,
            "resolved_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        _not_future(cleaned.get("found_on"), "found_on", self)
        found, resolved = cleaned.get("found_on"), cleaned.get("resolved_on")
        if found and resolved and resolved < found:
            self.add_error("resolved_on", _("A problem cannot be resolved before it was found."))
        return cleaned


class CareRecordForm(ChildRecordForm):
    class Meta:
        model = CareRecord
        fields = ["date", "kind", "description", "provider"]
        widgets = {"date": DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        _not_future(cleaned.get("date"), "date", self)
        return cleaned


class WorkLogForm(ChildRecordForm):
    class Meta:
        model = WorkLogEntry
        fields = ["date", "content"]
        widgets = {"date": DateInput, "content": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        _not_future(cleaned.get("date"), "date", self)
        return cleaned


class ChildFilterForm(forms.Form):
    q = forms.CharField(label=_("name or ID number"), required=False, max_length=40)
    village = forms.ModelChoiceField(label=_("village"), queryset=Area.objects.none(), required=False)
    category = forms.ChoiceField(label=_("category"), choices=[("", _("All"))] + Category.choices, required=False)
    colour = forms.ChoiceField(label=_("colour grade"), choices=[("", _("All"))] + Colour.choices, required=False)
    enrolment = forms.ChoiceField(label=_("enrolment"), required=False)
    status = forms.ChoiceField(label=_("archive status"), required=False)
    sort = forms.ChoiceField(label=_("sort by"), required=False)

    MAX_VILLAGE_CHOICES = 300
    SORTS = {
        "": ("-id", _("Newest first")),
        "name": ("name", _("Name")),
        "birth": ("-birth_date", _("Youngest first")),
        "colour": ("colour_rank", _("Colour, red first")),
        "village": ("village_id", _("Village")),
    }

    def __init__(self, *args, user: User, **kwargs):
        from .models import ArchiveStatus, Enrolment

        super().__init__(*args, **kwargs)
        villages = access.visible_villages(user)
        if villages[: self.MAX_VILLAGE_CHOICES + 1].count() <= self.MAX_VILLAGE_CHOICES:
            self.fields["village"] = VillageChoiceField(
                label=_("village"), queryset=villages.select_related("parent"), required=False
            )
        else:  # a city or province: thousands of villages are no drop-down; filter by area code instead
            self.fields["village"] = forms.RegexField(
                label=_("area code (any level)"),
                regex=r"^\d{2,12}$",
                required=False,
                error_messages={"invalid": _("Enter the digits of an area code.")},
            )
        self.fields["enrolment"].choices = [("", _("All"))] + Enrolment.choices
        self.fields["status"].choices = [("", _("Open archives")), ("all", _("All archives"))] + [
            (ArchiveStatus.CLOSED, _("Closed archives"))
        ]
        self.fields["sort"].choices = [(k, label) for k, (_o, label) in self.SORTS.items()]

    @property
    def active_count(self) -> int:
        """How many of the folded filters are in use (the phone's 筛选 button shows it); the name search stays in
        sight and the sort order is no filter."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.fields if name not in ("q", "sort") and str(self.data.get(name) or "").strip())


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("roster file (.xlsx, .xls or .csv)"),
        help_text=_("Use the template's column headers; the file is checked first and nothing is written yet."),
    )


class ArchiveBatchForm(forms.Form):
    area = forms.ChoiceField(label=_("village or township"))

    def __init__(self, *args, user: User, **kwargs):
        from accounts.models import AreaLevel

        super().__init__(*args, **kwargs)
        areas = (
            access.visible_areas(user)
            .filter(level__in=[AreaLevel.TOWNSHIP, AreaLevel.VILLAGE])
            .select_related("parent")
            .order_by("code")[:2000]
        )
        self.fields["area"].choices = [
            (a.code, f"{a.parent.name if a.level == AreaLevel.VILLAGE and a.parent else ''}{a.name}") for a in areas
        ]


class ProposalConfirmForm(forms.Form):
    on = forms.DateField(label=_("from (adding) or until (ending)"), widget=DateInput, initial=timezone.localdate)

    def clean_on(self):
        value = self.cleaned_data["on"]
        _not_future(value, "on", self)
        return value


class ProposalDismissForm(forms.Form):
    reason = forms.CharField(
        label=_("why the proposal does not apply"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
