from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.compute.services.lines import MAX_BYTES


class StatementUploadForm(forms.Form):
    reference = forms.CharField(label=_("Statement reference"), max_length=60,
                                help_text=_("As the Centre numbers it, e.g. AISC-2026-11-0042."))
    file = forms.FileField(label=_("Usage statement (CSV, UTF-8)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload


class AllocationForm(forms.Form):
    hours = forms.DecimalField(label=_("Allocated GPU-hours"), max_digits=12, decimal_places=2,
                               min_value=0.01)
