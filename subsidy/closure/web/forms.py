"""The closing form: it parses input; the checklist and every rule live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.closure.models import GrantClosure


class ClosureForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How does the grant close?"),
                                widget=forms.RadioSelect, choices=GrantClosure.Outcome.choices)
    reason = forms.CharField(
        label=_("Reason for terminating"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the grant is terminated; the company will see it."))
