"""Forms of transfer requests (children.transfers): the request, and the holding side's decline."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from . import access
from .forms import VillageChoiceField, VillageCodeField

MAX_VILLAGE_CHOICES = 300


class TransferRequestForm(forms.Form):
    """Which village of the requester's area the child moves to, and why. `token` is the registration's signed
    look-up reference to the archive found elsewhere (children.services.lookup_token)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=2000)
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the family moved here and the child now lives and goes to school here."),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        villages = access.visible_villages(user).select_related("parent")
        if villages[: MAX_VILLAGE_CHOICES + 1].count() > MAX_VILLAGE_CHOICES:
            field = VillageCodeField(villages=villages, label=_("village code (12 digits)"))
        else:
            field = VillageChoiceField(queryset=villages, label=_("the village the child now lives in"))
        self.fields["to_village"] = field
        self.order_fields(["token", "to_village", "reason"])


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("reason for declining"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))
