"""Forms of the reporting pages: they parse input; every rule lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.progress.models import OutcomeIndicator


def indicator_field_name(indicator: OutcomeIndicator) -> str:
    return f"indicator-{indicator.pk}"


class ReportForm(forms.Form):
    narrative = forms.CharField(
        label=_("Progress and outcomes"), max_length=8000,
        help_text=_("What the project did in this period, what it delivered and what comes "
                    "next."),
        widget=forms.Textarea(attrs={"rows": 8}))
    evidence = forms.FileField(label=_("Evidence (PDF, DOCX, XLSX, PNG or JPEG), if any"),
                               required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            whole = indicator.kind == OutcomeIndicator.Kind.COUNT
            label = (f"{indicator.name} ({indicator.unit})" if indicator.unit
                     else indicator.name)
            self.fields[indicator_field_name(indicator)] = forms.DecimalField(
                label=label, min_value=0, max_digits=16, decimal_places=0 if whole else 2,
                widget=forms.NumberInput(attrs={"step": "1" if whole else "0.01",
                                                "inputmode": "numeric" if whole
                                                else "decimal"}))
        # The narrative first, then each indicator, then the evidence.
        self.order_fields(["narrative", *map(indicator_field_name, self.indicators),
                           "evidence"])

    def values(self) -> dict:
        return {indicator.pk: self.cleaned_data.get(indicator_field_name(indicator))
                for indicator in self.indicators}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Accept the report")),
        ("return", _("Return it to the company for changes"))])
    comment = forms.CharField(label=_("Comments to the company"), max_length=4000,
                              required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Needed when you return the report."))
