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
