"""A grant's compute allocation: set against the round's envelope, released at closure.

The allocation's value (hours x the round's list rate x the grant's ratio) is a commitment
of the round next to the approved amount (docs/compute.md, "Money"): setting or raising it
locks the round row first, as an approval does (``grant_offer_create``), and is refused
when what is left of the envelope does not cover it. At closure, the allocation not drawn
is released, and the round's committed figure falls by as much.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.compute.models import ComputeAllocation, ComputeCharge
from subsidy.platform.audit import audit_record, snapshot
from subsidy.platform.errors import DomainError
from subsidy.platform.money import money
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import FundingRound, Grant
from subsidy.scheme.services.offers import envelope_exhausted_error

CENT = Decimal("0.01")
MAX_HOURS = Decimal("9999999999.99")
ALLOCATION_FIELDS = ["hours", "list_rate", "ratio_percent", "amount", "released_amount"]


def subsidy_for(*, hours: Decimal, list_rate: Decimal, ratio_percent: Decimal) -> Decimal:
    """hours x list rate x ratio, to the cent."""
    return (hours * list_rate * ratio_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter the GPU-hours as a number."), field="hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise DomainError(_("Enter a positive number of GPU-hours."), field="hours")
    if hours != hours.quantize(CENT):
        raise DomainError(_("Give GPU-hours to at most 2 decimal places."), field="hours")
    return hours


def grant_drawn(*, allocation_id: int) -> Decimal:
    return ComputeCharge.objects.filter(allocation_id=allocation_id).aggregate(
        total=Coalesce(Sum("subsidy_amount"), Decimal("0.00")))["total"]


@transaction.atomic
def compute_allocation_set(*, actor, grant: Grant, hours) -> ComputeAllocation:
    """Give the grant its allocation of GPU-hours, or change it, valued at the round's list
    rate and the grant's ratio. Only an open grant (offered, accepted or active) whose
    allocation was not released; never below the subsidy already drawn; a growth of the
    commitment must fit in the round's envelope (round row lock, then the grant's)."""
    value = _hours(hours)
    round_ = FundingRound.objects.select_for_update().get(pk=grant.round_id)
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    if grant.status not in Grant.COMMITTING_STATUSES:
        raise DomainError(_("Only an offered, accepted or active grant has a compute "
                            "allocation set."), code="grant_not_open")
    allocation = ComputeAllocation.objects.select_for_update().filter(grant=grant).first()
    if allocation is not None and allocation.released_at is not None:
        raise DomainError(_("This compute allocation was released at closure."),
                          code="allocation_released")
    amount = subsidy_for(hours=value, list_rate=round_.gpu_hour_rate,
                         ratio_percent=grant.approved_ratio_percent)
    before = snapshot(allocation, ALLOCATION_FIELDS) if allocation else None
    old = allocation.committed_amount if allocation else Decimal("0.00")
    if allocation is not None:
        drawn = grant_drawn(allocation_id=allocation.pk)
        if amount < drawn:
            raise DomainError(_("The allocation cannot fall below the %(drawn)s already "
                                "drawn.") % {"drawn": money(drawn)}, field="hours",
                              code="below_drawn")
    remaining = round_.envelope - round_committed(round_id=round_.pk) + old
    if amount > remaining:
        raise envelope_exhausted_error(round_=round_, remaining=remaining, amount=amount)
    if allocation is None:
        allocation = ComputeAllocation(grant=grant)
    allocation.hours = value
    allocation.list_rate = round_.gpu_hour_rate
    allocation.ratio_percent = grant.approved_ratio_percent
    allocation.amount = amount
    allocation.set_by = actor if getattr(actor, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:
        raise envelope_exhausted_error(round_=round_, remaining=remaining,
                                       amount=amount) from exc
    audit_record(actor=actor, action="compute.allocation_set", obj=grant, before=before,
                 after={**snapshot(allocation, ALLOCATION_FIELDS),
                        "committed_after": round_committed(round_id=round_.pk)})
    return allocation


@transaction.atomic
def compute_allocation_release(*, grant: Grant, actor) -> Decimal:
    """Release what the grant's allocation has not drawn, at closure (or when the offer is
    declined or lapses, subsidy.compute.registration): the round's committed
    figure keeps only the subsidy drawn. Idempotent: a second call changes nothing and
    returns the amount released the first time; a grant with no allocation releases 0.
    Holds the grant's row lock, as posting a statement does, so nothing is drawn after."""
    grant = Grant.objects.select_for_update().get(pk=grant.pk)
    allocation = ComputeAllocation.objects.select_for_update().filter(grant=grant).first()
    if allocation is None:
        return Decimal("0.00")
    if allocation.released_at is not None:
        return allocation.released_amount
    before = snapshot(allocation, ALLOCATION_FIELDS)
    allocation.released_amount = allocation.amount - grant_drawn(allocation_id=allocation.pk)
    allocation.released_at = timezone.now()
    allocation.released_by = actor if getattr(actor, "is_authenticated", False) else None
    allocation.save(update_fields=["released_amount", "released_at", "released_by",
                                   "updated_at"])
    audit_record(actor=actor, action="compute.allocation_release", obj=grant, before=before,
                 after=snapshot(allocation, ALLOCATION_FIELDS))
    return allocation.released_amount
