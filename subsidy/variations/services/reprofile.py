"""The tranche schedule an approved variation leaves (docs/variations.md, "Re-profiling").

Paid and cancelled tranches never change, nor does a tranche with a claim under way: their
money is fixed. The others (the unpaid ones) carry the rest of the approved amount, shared
in proportion to what they carried before (equally if they carried nothing), rounded to the
cent with the last taking what rounding left; an unpaid tranche follows its milestone's new
due date and deliverable. The result always sums to the approved amount.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from subsidy.finance.models import Claim, Tranche
from subsidy.scheme.models import Grant

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ProfiledTranche:
    number: int
    description: str
    due_date: date
    amount: Decimal
    old_amount: Decimal
    old_due_date: date
    fixed: bool
    status: str
    milestone_id: int | None = None

    @property
    def changed(self) -> bool:
        return self.amount != self.old_amount or self.due_date != self.old_due_date


def grant_tranches(grant: Grant) -> list[Tranche]:
    """The grant's tranches, each marked ``fixed`` when a variation cannot change it."""
    tranches = list(Tranche.objects.filter(grant_id=grant.pk).order_by("number"))
    claimed = set(Claim.objects.filter(tranche__grant_id=grant.pk)
                  .exclude(status=Claim.Status.CANCELLED).values_list("tranche_id", flat=True))
    for tranche in tranches:
        tranche.fixed = (tranche.status != Tranche.Status.SCHEDULED or tranche.pk in claimed)
    return tranches


def fixed_total(tranches: list[Tranche]) -> Decimal:
    return sum((t.amount for t in tranches if t.fixed), Decimal("0.00"))


def _shares(amounts: list[Decimal], total: Decimal) -> list[Decimal]:
    if not amounts:
        return []
    current = sum(amounts, Decimal("0.00"))
    if current == total:
        return list(amounts)
    weights = amounts if current > 0 else [Decimal(1)] * len(amounts)
    weight_total = sum(weights, Decimal(0))
    shares, allotted = [], Decimal("0.00")
    for weight in weights[:-1]:
        share = (total * weight / weight_total).quantize(CENT, rounding=ROUND_HALF_UP)
        shares.append(share)
        allotted += share
    shares.append(total - allotted)
    return shares


def reprofile(*, tranches: list[Tranche], amount: Decimal,
              milestones: dict[int, tuple[date | None, str]]) -> list[ProfiledTranche]:
    """The schedule after a variation: ``amount`` is the (new) approved amount,
    ``milestones`` each changed milestone's new (due date, deliverable)."""
    open_tranches = [t for t in tranches if not t.fixed]
    shares = dict(zip((t.pk for t in open_tranches),
                      _shares([t.amount for t in open_tranches],
                              amount - fixed_total(tranches)), strict=True))
    rows = []
    for tranche in tranches:
        due, description = tranche.due_date, tranche.description
        if not tranche.fixed and tranche.milestone_id in milestones:
            new_due, new_deliverable = milestones[tranche.milestone_id]
            due = new_due or due
            description = (new_deliverable or description)[:300]
        rows.append(ProfiledTranche(
            number=tranche.number, description=description, due_date=due,
            amount=shares.get(tranche.pk, tranche.amount), old_amount=tranche.amount,
            old_due_date=tranche.due_date, fixed=tranche.fixed, status=tranche.status,
            milestone_id=tranche.milestone_id))
    return rows


def reprofile_write(*, tranches: list[Tranche], rows: list[ProfiledTranche]) -> list[int]:
    """Write the new schedule onto the unpaid tranches (the caller holds the grant's lock);
    answer the numbers of the tranches it changed."""
    by_number = {t.number: t for t in tranches}
    changed = []
    for row in rows:
        tranche = by_number[row.number]
        if row.fixed or not (row.changed or row.description != tranche.description):
            continue
        tranche.amount, tranche.due_date, tranche.description = (
            row.amount, row.due_date, row.description)
        changed.append(tranche)
    Tranche.objects.bulk_update(changed, ["amount", "due_date", "description"])
    return [tranche.number for tranche in changed]
