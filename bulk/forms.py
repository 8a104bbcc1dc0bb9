"""Forms of bulk actions. The transfer and the screening confirmation reuse the single action's own form; the
selection itself (the ticked boxes) is read by rules.selection."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Area, User
from children import access
from children.forms import VillageChoiceField, VillageCodeField

from . import services

MAX_CHOICES = 300


class DirectorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        places = "、".join(a.name for a in obj.areas.all())
        return f"{obj} · {places}" if places else str(obj)


class ReassignForm(forms.Form):
    """A leaving director, the village to hand over (empty: every village of theirs in the user's area), and the
    director taking over, who must already serve the village."""

    leaving = DirectorChoiceField(label=_("leaving director"), queryset=User.objects.none())
    receiving = DirectorChoiceField(label=_("director taking over"), queryset=User.objects.none())
    release = forms.BooleanField(
        label=_("the leaving director no longer serves the village"),
        required=False,
        initial=True,
        help_text=_("Ticked: the village's children, visits and reminders are the receiving director's alone."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        villages = access.visible_villages(user).select_related("parent")
        if villages[: MAX_CHOICES + 1].count() > MAX_CHOICES:
            village = VillageCodeField(villages=villages, label=_("village code (12 digits)"), required=False)
        else:
            village = VillageChoiceField(queryset=villages, label=_("village"), required=False)
        village.help_text = _("Leave empty to hand over every village of the leaving director in your area.")
        self.fields["village"] = village

        def directors(active_only: bool):
            served = services.directors_serving(villages, active_only=active_only)
            return served.prefetch_related("areas").order_by("last_name", "first_name", "pk")

        self.fields["leaving"].queryset = directors(active_only=False)  # a director who left may be disabled already
        self.fields["receiving"].queryset = directors(active_only=True)
        self.order_fields(["leaving", "village", "receiving", "release"])

    def villages(self) -> list[Area]:
        """The villages handed over: the one chosen, or every village of the leaving director in the user's area."""
        chosen = self.cleaned_data.get("village")
        if chosen:
            return [chosen]
        served: QuerySet[Area] = self.cleaned_data["leaving"].areas.filter(level="village").order_by("code")
        return [v for v in served if access.in_user_areas(self.user, v.code)]
