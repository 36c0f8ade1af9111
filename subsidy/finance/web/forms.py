"""Forms of the finance pages: they parse input; every rule lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.finance.models import Disbursement, Recovery
from subsidy.scheme.models import FundingRound, Scheme

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClaimForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount claimed (HK$)"), max_digits=14,
                                decimal_places=2, min_value=0)
    report = forms.TypedChoiceField(
        label=_("Progress report sent for this milestone"), coerce=int, empty_value=None,
        required=False,
        help_text=_("Point to the report you sent already instead of writing it again."))
    narrative = forms.CharField(label=_("Progress report"), max_length=8000, required=False,
                                widget=forms.Textarea(attrs={"rows": 8}),
                                help_text=_("What was delivered for this milestone, and how "
                                            "the money was spent."))
    evidence = forms.FileField(label=_("Evidence (PDF, DOCX, XLSX, PNG or JPEG)"),
                               required=False)

    def __init__(self, *args, budget_lines=(), reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        reports = list(reports)
        if reports:
            self.fields["report"].choices = [("", _("None: I write the report below"))] + [
                (report.pk, _("Report %(n)s: %(title)s (%(status)s)") % {
                    "n": report.requirement.number, "title": report.requirement.title,
                    "status": report.get_status_display().lower()})
                for report in reports]
        else:
            del self.fields["report"]
        self.budget_lines = list(budget_lines)
        for line in self.budget_lines:
            self.fields[f"spend_{line.pk}"] = forms.DecimalField(
                label=_("Actual spend: %(line)s (HK$)") % {"line": line}, max_digits=14,
                decimal_places=2, min_value=0, required=False)

    def spend(self) -> dict:
        return {line.pk: self.cleaned_data[f"spend_{line.pk}"] for line in self.budget_lines
                if self.cleaned_data.get(f"spend_{line.pk}") is not None}


class TrancheRowForm(forms.Form):
    description = forms.CharField(label=_("Deliverable"), max_length=300)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_WIDGET)
    amount = forms.DecimalField(label=_("Amount (HK$)"), max_digits=14, decimal_places=2,
                                min_value=0)


TrancheFormSet = forms.formset_factory(TrancheRowForm, extra=1, can_delete=True,
                                       max_num=24, validate_max=True)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("What must the applicant change?"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RecoveryForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Recovery.Reason.choices)
    amount = forms.DecimalField(label=_("Amount to recover (HK$)"), max_digits=14,
                                decimal_places=2, min_value=0)
    note = forms.CharField(label=_("Explanation"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class RecoveryReceiptForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received (HK$)"), max_digits=14,
                                decimal_places=2, min_value=0)
    received_on = forms.DateField(label=_("Value date"), widget=DATE_WIDGET)
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)


class MarkPaidForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
    value_date = forms.DateField(label=_("Value date"), widget=DATE_WIDGET)


class ReleaseForm(forms.Form):
    execution_date = forms.DateField(label=_("Requested execution date"), widget=DATE_WIDGET)


class StatementForm(forms.Form):
    file = forms.FileField(label=_("Bank statement (camt.053 XML or CSV)"),
                           max_length=255)

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The statement is larger than 10 MB."))
        return upload


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label=_("Bank name"), max_length=120)
    account_name = forms.CharField(label=_("Account name"), max_length=200,
                                   help_text=_("As the bank holds it: the company's legal "
                                               "name."))
    account_number = forms.CharField(label=_("Account number"), max_length=40,
                                     help_text=_("Including the bank and branch codes."))


class SchemeChoiceForm(forms.Form):
    """A report shows one scheme: its envelopes are never added to another's."""

    scheme = forms.ChoiceField(label=_("Scheme"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].choices = [
            (code, f"{code} – {name}") for code, name in
            Scheme.objects.order_by("code").values_list("code", "name_en")]


class RegisterFilterForm(SchemeChoiceForm):
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    round = forms.ChoiceField(label=_("Round"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any"))] + list(Disbursement.Status.choices))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", _("Any"))] + [
            (code, code) for code in FundingRound.objects.order_by("code")
            .values_list("code", flat=True)]
