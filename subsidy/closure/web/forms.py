"""The closing form: it parses input; the checklist and every rule live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.closure.models import GrantClosure
from subsidy.closure.portfolio import HEALTH_LABELS
from subsidy.scheme.models import Sector


class ClosureForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How does the grant close?"),
                                widget=forms.RadioSelect, choices=GrantClosure.Outcome.choices)
    reason = forms.CharField(
        label=_("Reason for terminating"), max_length=4000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the grant is terminated; the company will see it."))


class PortfolioFilterForm(forms.Form):
    round = forms.ChoiceField(label=_("Round"), required=False)
    health = forms.ChoiceField(label=_("Health"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Reference, project title or company name."))

    def __init__(self, *args, round_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        self.fields["round"].choices = everything + [(code, code) for code in round_codes]
        self.fields["health"].choices = everything + [
            (code, label) for code, label in HEALTH_LABELS.items()]
        self.fields["sector"].choices = everything + list(Sector.choices)
