"""The closure checklist: what must be true before a grant closes, item by item, for the
outcome the officer chooses (docs/closure.md).

- *Tranches settled.* Completing needs every tranche paid or cancelled, no claim waiting
  and no payment on its way; terminating cancels what is unpaid, so it waits only for a
  payment already with the bank.
- *Final report accepted.* Completing needs the final report accepted by the programme
  office (a grant that owes none, started before reports were required, is not held);
  terminating does not: the reason is recorded instead.
- *Unspent commitment released.* What was approved but not paid returns to the round when
  the grant closes (the application's step does it): shown with its amount, never blocking.
- *Compute allocation released.* What the allocation at the AI Supercomputing Centre has
  not drawn is released when the grant closes (``compute_allocation_release``).
- *Recoveries raised where due.* When spend was reported with the paid claims, the subsidy
  it earns is that spend at the grant's ratio (never above the approved amount); anything
  paid beyond it must be ordered back (a recovery order raised, approved or not) before the
  grant closes, whichever the outcome.

The checklist is read, never stored, until the closing writes it into the closure record.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from subsidy.compute.selectors import grant_compute_summary
from subsidy.finance.models import Claim, ClaimSpend, Disbursement, Recovery, Tranche
from subsidy.platform.money import money
from subsidy.progress.models import ReportingRequirement
from subsidy.progress.selectors import final_report_accepted
from subsidy.scheme.ledger import ZERO, grant_paid
from subsidy.scheme.models import Grant

COMPLETED, TERMINATED = "completed", "terminated"
OUTCOMES = (COMPLETED, TERMINATED)
CENT = Decimal("0.01")


class State:
    DONE = "done"
    OPEN = "open"
    ON_CLOSING = "on_closing"
    NOT_REQUIRED = "not_required"


STATE_LABELS = {
    State.DONE: gettext_lazy("Done"),
    State.OPEN: gettext_lazy("To do"),
    State.ON_CLOSING: gettext_lazy("Done on closing"),
    State.NOT_REQUIRED: gettext_lazy("Not required"),
}


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    state: str
    detail: str
    url: str = ""

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    def as_record(self) -> dict:
        return {"code": self.code, "state": self.state, "detail": self.detail}


@dataclass(frozen=True)
class Checklist:
    outcome: str
    items: tuple[ChecklistItem, ...]

    @property
    def open_items(self) -> list[ChecklistItem]:
        return [item for item in self.items if item.is_open]

    @property
    def complete(self) -> bool:
        return not self.open_items


@dataclass(frozen=True)
class MoneyFacts:
    paid: Decimal
    earned: Decimal | None  # None: no spend reported with the paid claims
    recovery_due: Decimal
    recoveries_raised: Decimal


def grant_money_facts(grant: Grant) -> MoneyFacts:
    """Paid, the subsidy the reported spend earns, and the recovery due and raised."""
    paid = grant_paid(grant_id=grant.pk)
    spend = (ClaimSpend.objects
             .filter(claim__tranche__grant_id=grant.pk, claim__status=Claim.Status.PAID)
             .aggregate(total=Sum("actual_amount"))["total"])
    raised = Recovery.objects.filter(grant_id=grant.pk).aggregate(
        total=Coalesce(Sum("amount"), ZERO))["total"]
    earned = None
    due = ZERO
    if spend is not None:
        earned = min(grant.approved_amount,
                     (spend * grant.approved_ratio_percent / 100).quantize(
                         CENT, rounding=ROUND_HALF_UP))
        due = max(ZERO, paid - earned)
    return MoneyFacts(paid=paid, earned=earned, recovery_due=due, recoveries_raised=raised)


def _tranches_item(grant: Grant, outcome: str) -> ChecklistItem:
    url = reverse("finance:grant", args=[grant.pk])
    label = _("Every tranche settled")
    if Disbursement.objects.filter(grant_id=grant.pk,
                                   status=Disbursement.Status.BATCHED).exists():
        return ChecklistItem("tranches", label, State.OPEN, _(
            "A payment of this grant is with the bank: mark it paid or failed first."), url)
    if outcome == TERMINATED:
        return ChecklistItem("tranches", label, State.ON_CLOSING, _(
            "Unpaid tranches, open claims and payments not yet sent are cancelled when "
            "the grant is terminated."), url)
    # A claim or a payment on its way belongs to a tranche not paid yet.
    unpaid = Tranche.objects.filter(grant_id=grant.pk, status=Tranche.Status.SCHEDULED).count()
    if unpaid:
        return ChecklistItem("tranches", label, State.OPEN, _(
            "%(n)s tranche(s) of this grant are not paid yet; pay them or terminate the "
            "grant.") % {"n": unpaid}, url)
    return ChecklistItem("tranches", label, State.DONE,
                         _("Every tranche is paid or cancelled."), url)


def _final_report_item(grant: Grant, outcome: str) -> ChecklistItem:
    label = _("Final report accepted")
    url = reverse("progress:grant_reports", args=[grant.pk])
    if outcome == TERMINATED:
        return ChecklistItem("final_report", label, State.NOT_REQUIRED, _(
            "A terminated project closes without its final report; the reason is recorded "
            "instead."), url)
    if not ReportingRequirement.objects.filter(
            grant_id=grant.pk, kind=ReportingRequirement.Kind.FINAL).exists():
        return ChecklistItem("final_report", label, State.NOT_REQUIRED, _(
            "This grant owes no final report: it started before reports were required."),
            url)
    if final_report_accepted(grant):
        return ChecklistItem("final_report", label, State.DONE,
                             _("The programme office accepted the final report."), url)
    return ChecklistItem("final_report", label, State.OPEN, _(
        "The final report is not accepted yet."), url)


def _compute_item(grant: Grant) -> ChecklistItem:
    label = _("Compute allocation released")
    url = reverse("finance:grant", args=[grant.pk])
    summary = grant_compute_summary(grant.pk)
    if summary is None:
        return ChecklistItem("compute", label, State.NOT_REQUIRED,
                             _("The grant has no compute allocation."), url)
    if summary.released:
        return ChecklistItem("compute", label, State.DONE, _(
            "%(released)s of the allocation was released.")
            % {"released": money(summary.released_amount)}, url)
    return ChecklistItem("compute", label, State.ON_CLOSING, _(
        "%(rest)s of the allocation not drawn at the AI Supercomputing Centre is released "
        "when the grant closes.") % {"rest": money(max(ZERO, summary.remaining_amount))},
        url)


def _commitment_item(grant: Grant, facts: MoneyFacts) -> ChecklistItem:
    rest = max(ZERO, grant.approved_amount - facts.paid)
    return ChecklistItem("commitment", _("Unspent commitment released"), State.ON_CLOSING, _(
        "%(rest)s approved but not paid returns to the round's envelope when the grant "
        "closes.") % {"rest": money(rest)}, reverse("finance:grant", args=[grant.pk]))


def _recoveries_item(grant: Grant, facts: MoneyFacts) -> ChecklistItem:
    label = _("Recoveries raised where due")
    url = reverse("finance:grant", args=[grant.pk]) + "#recoveries"
    if facts.earned is None:
        return ChecklistItem("recoveries", label, State.NOT_REQUIRED, _(
            "No spend was reported with the paid claims: nothing is found due. Raise a "
            "recovery on the grant's page if money must come back."), url)
    detail = _("Paid %(paid)s; the reported spend at the grant's ratio earns %(earned)s; "
               "due back %(due)s; raised %(raised)s.") % {
        "paid": money(facts.paid), "earned": money(facts.earned),
        "due": money(facts.recovery_due), "raised": money(facts.recoveries_raised)}
    if facts.recovery_due > facts.recoveries_raised:
        return ChecklistItem("recoveries", label, State.OPEN, detail, url)
    return ChecklistItem("recoveries", label, State.DONE if facts.recovery_due else
                         State.NOT_REQUIRED, detail, url)


def closure_checklist(grant: Grant, *, outcome: str) -> Checklist:
    """The checklist of ``grant`` for closing it as ``outcome`` (completed or terminated)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    facts = grant_money_facts(grant)
    items = [
        _tranches_item(grant, outcome),
        _final_report_item(grant, outcome),
        _commitment_item(grant, facts),
        _compute_item(grant),
        _recoveries_item(grant, facts),
    ]
    return Checklist(outcome=outcome, items=tuple(items))
