"""The tranche schedule a grant's milestones imply: what the offer letter promises, and what
finance writes as the grant's tranches when it starts (unless the officer adjusted them)."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from applicants.models import Milestone
from subsidy.scheme.models import Grant

CENT = Decimal("0.01")


@dataclass(frozen=True)
class TrancheRow:
    description: str
    due_date: date
    amount: Decimal
    milestone_id: int | None = None


def schedule_from_milestones(*, grant: Grant) -> list[TrancheRow]:
    """The tranches the milestones imply: share percent × approved amount, the last one
    taking what rounding left over."""
    milestones = list(Milestone.objects.filter(application_id=grant.application_id)
                      .order_by("position", "due_date", "id"))
    if not milestones:
        return [TrancheRow(description=_("Whole grant"), due_date=timezone.localdate(),
                           amount=grant.approved_amount)]
    rows, allotted = [], Decimal("0.00")
    for index, milestone in enumerate(milestones):
        if index == len(milestones) - 1:
            amount = grant.approved_amount - allotted
        else:
            amount = (grant.approved_amount * milestone.share_percent / 100).quantize(
                CENT, rounding=ROUND_HALF_UP)
            allotted += amount
        rows.append(TrancheRow(description=milestone.deliverable[:300],
                               due_date=milestone.due_date, amount=amount,
                               milestone_id=milestone.pk))
    return rows
