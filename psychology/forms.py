from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children.forms import DateInput

from .models import CounsellingSession, Screening


class ScreeningForm(forms.ModelForm):
    class Meta:
        model = Screening
        fields = ["screened_on", "screener", "instrument", "score", "level", "follow_up", "follow_up_due"]
        widgets = {
            "screened_on": DateInput,
            "follow_up_due": DateInput,
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("screened_on", timezone.localdate())


class _ScreeningChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.screened_on:%Y-%m-%d} {obj.instrument} · {obj.get_level_display()}"


class FollowUpForm(forms.Form):
    screening = _ScreeningChoice(queryset=None, label=_("screening"))
    on = forms.DateField(label=_("done on"), widget=DateInput)
    note = forms.CharField(label=_("what was done"), max_length=300)

    def __init__(self, *args, screenings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["screening"].queryset = screenings
        self.initial.setdefault("on", timezone.localdate())


class ReferForm(forms.Form):
    screening = _ScreeningChoice(queryset=None, label=_("screening"))
    department = forms.ModelChoiceField(queryset=None, label=_("to department"))
    reason = forms.CharField(label=_("reason and what is needed"), widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("due by"), widget=DateInput)

    def __init__(self, *args, screenings, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["screening"].queryset = screenings
        self.fields["department"].queryset = departments


class SessionForm(forms.ModelForm):
    class Meta:
        model = CounsellingSession
        fields = ["held_on", "counsellor", "notes", "next_on"]
        widgets = {"held_on": DateInput, "next_on": DateInput, "notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("held_on", timezone.localdate())
