from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MappingProfile


class UploadForm(forms.Form):
    source = forms.ModelChoiceField(label=_("List"), queryset=None)
    profile = forms.ModelChoiceField(label=_("Column-mapping profile"), queryset=MappingProfile.objects.all())
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"))

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why it does not apply"), max_length=300)
