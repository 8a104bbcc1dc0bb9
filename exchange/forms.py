from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ListKind, MappingProfile


class UploadForm(forms.Form):
    department = forms.ModelChoiceField(label=_("department"), queryset=None)
    kind = forms.ChoiceField(label=_("List"), choices=ListKind.choices)
    profile = forms.ModelChoiceField(label=_("Column-mapping profile"), queryset=MappingProfile.objects.all())
    file = forms.FileField(label=_("Spreadsheet (.xlsx, .xls or .csv)"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        only = list(departments[:2])
        if len(only) == 1:
            self.fields["department"].initial = only[0].pk
        self.can_upload = bool(only)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Why it does not apply"), max_length=300)
