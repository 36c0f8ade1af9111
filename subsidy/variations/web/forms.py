"""Forms of the variation pages: they parse input; every rule lives in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from subsidy.variations.services.proposal import (
    BudgetMoveInput,
    MilestoneEdit,
    VariationInput,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOVE_ROWS = 3


class VariationForm(forms.Form):
    """The company's request: each part is optional; what is left empty stays as it is."""

    new_start_date = forms.DateField(label=_("New start date"), required=False, widget=DATE)
    new_end_date = forms.DateField(label=_("New end date"), required=False, widget=DATE)
    new_amount = forms.DecimalField(
        label=_("New total subsidy (HK$)"), required=False, max_digits=14, decimal_places=2,
        min_value=0, help_text=_("Leave empty to keep the approved amount. Any increase is "
                                 "decided by the funding panel."))
    reason = forms.CharField(label=_("Why the grant needs to change"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, milestones=(), budget_lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.milestones = list(milestones)
        self.milestone_rows = []
        for milestone in self.milestones:
            due = f"milestone-{milestone.pk}-due_date"
            deliverable = f"milestone-{milestone.pk}-deliverable"
            self.fields[due] = forms.DateField(
                label=_("New due date of “%(m)s”") % {"m": milestone.deliverable},
                required=False, widget=DATE)
            self.fields[deliverable] = forms.CharField(
                label=_("New deliverable of “%(m)s”") % {"m": milestone.deliverable},
                required=False, max_length=300)
            self.milestone_rows.append((milestone, self[due], self[deliverable]))
        choices = [("", "—")] + [(str(line.pk), f"{line.description} "
                                  f"(HK${line.amount:,.2f})") for line in budget_lines]
        self.move_rows = []
        for index in range(MOVE_ROWS):
            names = [f"move-{index}-from_line", f"move-{index}-to_line", f"move-{index}-amount"]
            self.fields[names[0]] = forms.TypedChoiceField(
                label=_("Move %(n)s: from budget line") % {"n": index + 1}, choices=choices,
                required=False, coerce=int, empty_value=None)
            self.fields[names[1]] = forms.TypedChoiceField(
                label=_("Move %(n)s: to budget line") % {"n": index + 1}, choices=choices,
                required=False, coerce=int, empty_value=None)
            self.fields[names[2]] = forms.DecimalField(
                label=_("Move %(n)s: amount (HK$)") % {"n": index + 1}, required=False,
                max_digits=14, decimal_places=2, min_value=0)
            self.move_rows.append([self[name] for name in names])

    def clean(self):
        data = super().clean()
        for index in range(MOVE_ROWS):
            row = [data.get(f"move-{index}-{part}") for part in ("from_line", "to_line",
                                                                 "amount")]
            if any(value is not None for value in row) and None in row:
                self.add_error(f"move-{index}-amount" if row[2] is None
                               else f"move-{index}-from_line",
                               _("Give both budget lines and the amount, or leave the row "
                                 "empty."))
        return data

    def to_input(self) -> VariationInput:
        data = self.cleaned_data
        milestones = []
        for milestone in self.milestones:
            due = data.get(f"milestone-{milestone.pk}-due_date")
            deliverable = (data.get(f"milestone-{milestone.pk}-deliverable") or "").strip()
            if due or deliverable:
                milestones.append(MilestoneEdit(milestone_id=milestone.pk, due_date=due,
                                                deliverable=deliverable))
        moves = [BudgetMoveInput(from_line_id=data[f"move-{i}-from_line"],
                                 to_line_id=data[f"move-{i}-to_line"],
                                 amount=data[f"move-{i}-amount"])
                 for i in range(MOVE_ROWS) if data.get(f"move-{i}-from_line") is not None]
        return VariationInput(reason=data["reason"], new_start_date=data.get("new_start_date"),
                              new_end_date=data.get("new_end_date"),
                              new_amount=data.get("new_amount"), milestones=tuple(milestones),
                              budget_moves=tuple(moves))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve the variation")), ("reject", _("Do not approve it"))])
    reason = forms.CharField(label=_("Reason, as the company will read it"), max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 4}))


class RoundRulesForm(forms.Form):
    budget_tolerance_percent = forms.DecimalField(
        label=_("Budget tolerance (per cent of a line)"), max_digits=5, decimal_places=2,
        help_text=_("A variation may move money into or out of a budget line by at most this "
                    "share of the line's amount."))
    panel_threshold = forms.DecimalField(
        label=_("Panel threshold (HK$)"), max_digits=14, decimal_places=2,
        help_text=_("The panel decides a variation that lowers the amount or moves money "
                    "between budget lines by more than this; any increase goes to the panel."))
