"""What a variation may ask, and who decides it (docs/variations.md).

* Budget moves stay within the round's tolerance: each budget line may gain or lose, net,
  at most ``budget_tolerance_percent`` (default 10%) of its amount, and no line goes below
  zero. The lines' total does not change.
* The new amount is positive, within the round's maximum per project and within the round's
  ratio cap of the eligible cost (the exceptional cap, 90%, for a grant approved as an
  exceptional case), and never below what is paid or being claimed.
* The panel decides any increase, and a decrease or budget moves of more than the round's
  ``panel_threshold`` (default HK$100,000); the programme officer decides the rest.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from applicants.models import BudgetLine, Milestone
from subsidy.platform.money import money
from subsidy.scheme import rules as scheme_rules
from subsidy.scheme.models import Grant
from subsidy.variations.models import RoundVariationRules, Variation

CENT = Decimal("0.01")
Problems = list[tuple[str | None, str]]
# A grant can be varied once it is signed and until it closes.
VARIABLE_STATUSES = (Grant.Status.ACCEPTED, Grant.Status.ACTIVE)


@dataclass(frozen=True)
class MilestoneEdit:
    milestone_id: int
    due_date: date | None = None
    deliverable: str = ""


@dataclass(frozen=True)
class BudgetMoveInput:
    from_line_id: int
    to_line_id: int
    amount: Decimal | None


@dataclass(frozen=True)
class VariationInput:
    reason: str
    new_start_date: date | None = None
    new_end_date: date | None = None
    new_amount: Decimal | None = None
    milestones: tuple[MilestoneEdit, ...] = field(default_factory=tuple)
    budget_moves: tuple[BudgetMoveInput, ...] = field(default_factory=tuple)


def round_rules(round_) -> RoundVariationRules:
    """The round's variation rules, or the defaults when it set none."""
    return (RoundVariationRules.objects.filter(round_id=round_.pk).first()
            or RoundVariationRules(round=round_))


def _date_problems(grant: Grant, data: VariationInput) -> Problems:
    application = grant.application
    start = data.new_start_date or application.start_date
    end = data.new_end_date or application.end_date
    problems: Problems = []
    if data.new_start_date and data.new_start_date == application.start_date:
        problems.append(("new_start_date", _("This is already the project's start date.")))
    if data.new_end_date and data.new_end_date == application.end_date:
        problems.append(("new_end_date", _("This is already the project's end date.")))
    if start and end and end < start:
        problems.append(("new_end_date", _("The project cannot end before it starts.")))
    return problems


def _milestone_problems(grant: Grant, data: VariationInput,
                        milestones: dict[int, Milestone], paid: set[int]) -> Problems:
    problems: Problems = []
    seen = set()
    for edit in data.milestones:
        name = f"milestone-{edit.milestone_id}"
        milestone = milestones.get(edit.milestone_id)
        if milestone is None or edit.milestone_id in seen:
            problems.append((None, _("A milestone changed is not one of this project's.")))
            continue
        seen.add(edit.milestone_id)
        if edit.milestone_id in paid:
            problems.append((f"{name}-due_date", _(
                "“%(m)s” is paid: a paid milestone cannot change.") % {"m": milestone}))
        if len(edit.deliverable) > 300:
            problems.append((f"{name}-deliverable",
                             _("Keep the deliverable to 300 characters or fewer.")))
        if edit.due_date is None and not edit.deliverable.strip():
            problems.append((f"{name}-due_date", _("Give “%(m)s” a new due date or a new "
                                                   "deliverable.") % {"m": milestone}))
    return problems


def _budget_problems(grant: Grant, data: VariationInput, lines: dict[int, BudgetLine],
                     tolerance: Decimal) -> Problems:
    problems: Problems = []
    net: dict[int, Decimal] = {}
    for index, move in enumerate(data.budget_moves):
        name = f"move-{index}"
        if move.from_line_id not in lines or move.to_line_id not in lines:
            problems.append((f"{name}-from_line", _("Choose two of this project's budget lines.")))
            continue
        if move.from_line_id == move.to_line_id:
            problems.append((f"{name}-to_line", _("Move money between two different lines.")))
            continue
        amount = move.amount
        if amount is None or amount <= 0 or amount != amount.quantize(CENT):
            problems.append((f"{name}-amount", _("Enter the amount to move in Hong Kong "
                                                 "dollars, with at most 2 decimal places.")))
            continue
        net[move.from_line_id] = net.get(move.from_line_id, Decimal(0)) - amount
        net[move.to_line_id] = net.get(move.to_line_id, Decimal(0)) + amount
    for line_id, change in net.items():
        line = lines[line_id]
        allowed = (line.amount * tolerance / 100).quantize(CENT)
        if line.amount + change < 0:
            problems.append((None, _("“%(line)s” has only %(amount)s to move.")
                             % {"line": line.description, "amount": money(line.amount)}))
        elif abs(change) > allowed:
            problems.append((None, _(
                "“%(line)s” would change by %(change)s; the round allows at most "
                "%(tolerance)s%% of the line (%(allowed)s).")
                % {"line": line.description, "change": money(abs(change)),
                   "tolerance": f"{tolerance.normalize():f}", "allowed": money(allowed)}))
    return problems


def _amount_problems(grant: Grant, amount: Decimal | None, fixed: Decimal) -> Problems:
    if amount is None:
        return []
    if amount <= 0 or amount != amount.quantize(CENT):
        return [("new_amount", _("Enter the new amount in Hong Kong dollars, with at most 2 "
                                 "decimal places."))]
    if amount == grant.approved_amount:
        return [("new_amount", _("This is already the approved amount."))]
    round_ = grant.round
    problems: Problems = []
    if amount > round_.max_subsidy_per_project:
        problems.append(("new_amount", _("%(amount)s is above the round's maximum of %(cap)s "
                                         "per project.")
                         % {"amount": money(amount), "cap": money(round_.max_subsidy_per_project)}))
    total = grant.application.total_eligible_cost
    cap = (Decimal(scheme_rules.EXCEPTIONAL_RATIO_CAP_PERCENT) if grant.exceptional_case
           else round_.max_ratio_percent)
    if total <= 0 or amount * 100 > cap * total:
        problems.append(("new_amount", _(
            "%(amount)s would be more than %(cap)s%% of the eligible cost (%(allowed)s).")
            % {"amount": money(amount), "cap": f"{cap.normalize():f}",
               "allowed": money((max(total, Decimal(0)) * cap / 100).quantize(CENT))}))
    if amount < fixed:
        problems.append(("new_amount", _(
            "%(amount)s is less than the %(fixed)s already paid or being claimed.")
            % {"amount": money(amount), "fixed": money(fixed)}))
    return problems


def proposal_problems(*, grant: Grant, data: VariationInput, fixed: Decimal,
                      paid_milestones: set[int]) -> Problems:
    """Every reason ``data`` cannot be asked for ``grant``, each with the field it names.
    ``fixed`` is the money of the tranches a variation cannot change (paid, cancelled or
    being claimed); ``paid_milestones`` their milestones."""
    problems: Problems = []
    reason = (data.reason or "").strip()
    if not reason:
        problems.append(("reason", _("Say why the grant needs to change.")))
    elif len(reason) > 4000:
        problems.append(("reason", _("Keep this to 4,000 characters or fewer.")))
    if not (data.new_start_date or data.new_end_date or data.new_amount is not None
            or data.milestones or data.budget_moves):
        problems.append((None, _("Ask for at least one change: dates, a milestone, a budget "
                                 "move or the amount.")))
    application = grant.application
    milestones = {m.pk: m for m in Milestone.objects.filter(application_id=application.pk)}
    lines = {line.pk: line for line in BudgetLine.objects.filter(application_id=application.pk)}
    tolerance = round_rules(grant.round).budget_tolerance_percent
    return [*problems, *_date_problems(grant, data),
            *_milestone_problems(grant, data, milestones, paid_milestones),
            *_budget_problems(grant, data, lines, tolerance),
            *_amount_problems(grant, data.new_amount, fixed)]


def variation_decider(*, grant: Grant, data: VariationInput) -> str:
    """The panel for any increase, and for a decrease or budget moves above the round's
    threshold; otherwise the programme officer."""
    threshold = round_rules(grant.round).panel_threshold
    if data.new_amount is not None and data.new_amount > grant.approved_amount:
        return Variation.Decider.PANEL
    decrease = (grant.approved_amount - data.new_amount) if data.new_amount is not None else 0
    moved = sum((move.amount or 0 for move in data.budget_moves), Decimal(0))
    if decrease > threshold or moved > threshold:
        return Variation.Decider.PANEL
    return Variation.Decider.OFFICER
