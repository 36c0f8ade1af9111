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


class ReportingPeriodsForm(forms.Form):
    """A round's reporting periods; the ranges are the service's rule."""

    final_report_due_days = forms.IntegerField(
        label=_("Final report due (days after the project ends)"),
        help_text=_("From 1 to 365. Grants already started keep the due date they were given."))
    report_reminder_days = forms.IntegerField(
        label=_("Reminder (days before a report is due)"),
        help_text=_("From 1 to 90. The company is reminded once, this many days before."))
    report_escalation_days = forms.IntegerField(
        label=_("Escalation (days after the due date)"),
        help_text=_("From 1 to 90. A report still not sent this many days late is escalated "
                    "to the company and the programme officers."))


class IndicatorForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False,
                           help_text=_("For example people, customers or GPU-hours."))
    kind = forms.ChoiceField(label=_("Kind of value"), choices=OutcomeIndicator.Kind.choices,
                             initial=OutcomeIndicator.Kind.COUNT)


class NewIndicatorForm(IndicatorForm):
    code = forms.SlugField(
        label=_("Code"), max_length=40, required=False,
        help_text=_("Partners' systems read values by this code. Left empty, it is made from "
                    "the English name. It cannot change later."))
