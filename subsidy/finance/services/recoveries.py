"""Recoveries: a finance officer raises a recovery order against a grant (an overpayment,
an early end of the project, a breach of its conditions), and records each receipt of the
money as the bank shows it. Net paid = paid − received (``subsidy.scheme.ledger``); on a
completed or terminated grant, a receipt also leaves the commitment.

A finance officer raises an order; a finance approver, never the one who raised it,
approves it; only then can receipts be recorded against it and lower net paid
(maker-checker, refused by PostgreSQL too: migration ``0014_recovery_approval``).

Every step locks the grant first (the one order of ``locks``), then the order: two receipts
on one order, or an order and a receipt on one grant, take turns. What is ordered back never
exceeds what was paid on the grant, and what is received never exceeds the order; PostgreSQL
refuses either too (migration ``0011_ledger_recoveries``).
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.finance.models import Recovery, RecoveryReceipt
from subsidy.finance.periods.services import period_require_open
from subsidy.finance.services.locks import grant_lock
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, require
from subsidy.scheme.ledger import ZERO, grant_paid
from subsidy.scheme.models import Grant

# A grant money was paid on: recovered while it runs, or after it closed.
RECOVERABLE = (Grant.Status.ACTIVE, Grant.Status.COMPLETED, Grant.Status.TERMINATED)


def recovery_outstanding(recovery: Recovery) -> Decimal:
    """What is still to be received on ``recovery``."""
    received = recovery.receipts.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return recovery.amount - received


@transaction.atomic
def recovery_raise(*, actor, grant: Grant, reason: str, amount: Decimal,
                   note: str) -> Recovery:
    """Order ``amount`` back from the grant's company. The orders on a grant never exceed
    what was paid on it."""
    require(actor, Action.PREPARE_PAYMENT)
    locked = grant_lock(grant_id=grant.pk)
    if locked.status not in RECOVERABLE:
        raise DomainError(_("Only money paid on a grant can be recovered."),
                          code="grant_not_paid")
    if reason not in Recovery.Reason.values:
        raise DomainError(_("Choose the reason of the recovery."), code="reason_unknown",
                          field="reason")
    if amount <= 0:
        raise DomainError(_("The amount must be above zero."), code="amount_not_positive",
                          field="amount")
    if not note.strip():
        raise DomainError(_("Explain why the money is recovered."), code="note_required",
                          field="note")
    ordered = locked.recoveries.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    recoverable = grant_paid(grant_id=locked.pk) - ordered
    if amount > recoverable:
        raise DomainError(_("At most %(amount)s can still be recovered from this grant.")
                          % {"amount": money(recoverable)}, code="recovery_above_paid",
                          field="amount")
    recovery = Recovery.objects.create(grant=locked, reason=reason, amount=amount,
                                       note=note.strip(), raised_by=actor)
    audit_record(actor=actor, action="recovery.raise", obj=recovery,
                 after={"grant": locked.pk, "reason": reason, "amount": str(amount)})
    return recovery


@transaction.atomic
def recovery_approve(*, actor, recovery: Recovery) -> Recovery:
    """A finance approver approves an order raised by someone else; from then on receipts
    can be recorded against it and its amount is fixed."""
    locked_grant = grant_lock(grant_id=recovery.grant_id)
    locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
    if locked.raised_by_id == getattr(actor, "pk", None):
        raise PermissionDeniedError(_("You raised this recovery order, so someone else "
                                      "must approve it."), code="maker_checker")
    require(actor, Action.APPROVE_PAYMENT)
    if locked.is_approved:
        raise DomainError(_("This recovery order is already approved."),
                          code="recovery_approved")
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["approved_by", "approved_at"])
    audit_record(actor=actor, action="recovery.approve", obj=locked,
                 before={"approved": False},
                 after={"approved": True, "grant": locked_grant.pk, "reason": locked.reason,
                        "amount": str(locked.amount), "raised_by": locked.raised_by_id})
    recovery.approved_by, recovery.approved_at = locked.approved_by, locked.approved_at
    return locked


@transaction.atomic
def recovery_receipt_record(*, actor, recovery: Recovery, amount: Decimal,
                            received_on: date, bank_reference: str) -> RecoveryReceipt:
    """Record money received against an approved ``recovery``: no more than is
    outstanding, on a value date no later than today, with the bank's reference
    (unique)."""
    require(actor, Action.PREPARE_PAYMENT)
    grant = grant_lock(grant_id=recovery.grant_id)
    locked = Recovery.objects.select_for_update().get(pk=recovery.pk)
    bank_reference = bank_reference.strip()
    if not locked.is_approved:
        raise DomainError(_("A finance approver must approve this recovery order before "
                            "receipts are recorded against it."),
                          code="recovery_not_approved")
    if amount <= 0:
        raise DomainError(_("The amount must be above zero."), code="amount_not_positive",
                          field="amount")
    if received_on > timezone.localdate():
        raise DomainError(_("The value date cannot be later than today."),
                          code="value_date_future", field="received_on")
    period_require_open(value_date=received_on, field="received_on")
    if not bank_reference:
        raise DomainError(_("Enter the bank's reference."), code="bank_reference_required",
                          field="bank_reference")
    if RecoveryReceipt.objects.filter(bank_reference=bank_reference).exists():
        raise DomainError(_("This bank reference is already recorded."),
                          code="bank_reference_taken", field="bank_reference")
    outstanding = recovery_outstanding(locked)
    if amount > outstanding:
        raise DomainError(_("Only %(amount)s is outstanding on this recovery order.")
                          % {"amount": money(outstanding)}, code="receipt_above_order",
                          field="amount")
    receipt = RecoveryReceipt.objects.create(
        recovery=locked, grant=grant, amount=amount, received_on=received_on,
        bank_reference=bank_reference, recorded_by=actor)
    audit_record(actor=actor, action="recovery.receive", obj=locked,
                 before={"outstanding": str(outstanding)},
                 after={"received": str(amount), "received_on": received_on.isoformat(),
                        "bank_reference": bank_reference,
                        "outstanding": str(outstanding - amount)})
    return receipt
