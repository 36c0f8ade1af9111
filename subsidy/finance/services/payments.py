"""Payments: a finance officer prepares the payment of a verified claim to the company's
verified bank account, a different finance approver approves it (payee included), approved
payments are put into a batch, someone else releases the batch to the bank (a third person
where ``FINANCE_SEPARATE_RELEASE`` is on), and the bank's answer for each payment is
recorded as an outcome: paid with the bank's reference, or failed (or returned) with a
reason. A failed payment stays in its batch; the claim is paid again by a new payment in a
new batch.

Every step locks rows in the one order of ``locks`` (grant, then tranche, then claim, then
payment) and refuses unless the grant is active. So two finance users acting on the same
batch at the same moment take turns (the second finds the payment already paid and is
refused), and a termination and a payment step on the same grant take turns (the one that
comes second sees what the first did). The database refuses a second paid payment for a
tranche, a payment approved or released by its preparer, a bank reference used twice and,
on PostgreSQL, paid above the approved amount and any change to a released batch.
"""

import hashlib
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.agreements.services.conditions import conditions_unmet, first_payment_problem
from subsidy.agreements.services.versions import unsigned_version_problem, unsigned_versions
from subsidy.finance.bankfiles.pain001 import Debtor, Transfer, pain001_build
from subsidy.finance.models import (
    BankAccount,
    Claim,
    Disbursement,
    PaymentBatch,
    PaymentOutcome,
    Tranche,
)
from subsidy.finance.periods.services import period_adjust_for_return, period_require_open
from subsidy.finance.services.bank import bank_account_usable_problem
from subsidy.finance.services.claims import FIRST_TRANCHE
from subsidy.finance.services.common import notify_company, notify_staff_of_claim
from subsidy.finance.services.locks import grant_lock, grant_require_active, grants_lock
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import grant_paid

S = Disbursement.Status
# A claim's payment that is still going somewhere: a new one may not be prepared beside it.
LIVE = (S.PREPARED, S.APPROVED, S.BATCHED, S.PAID)


def payee_snapshot(payment: Disbursement) -> dict:
    """The payee as the audit trail keeps it for finance: in full."""
    return {"payee_name": payment.payee_name, "bank_name": payment.bank_name,
            "account_number": payment.account_number,
            "account_verified_by": payment.payee_verified_by_id}


@transaction.atomic
def payment_prepare(*, actor, claim: Claim) -> Disbursement:
    """The finance officer prepares the payment of a verified claim. The payee is fixed
    now, from the company's bank account, which must have been verified by another finance
    officer and be past its cooling-off period."""
    require(actor, Action.PREPARE_PAYMENT)
    grant = grant_lock(grant_id=Claim.objects.values_list("tranche__grant_id", flat=True)
                       .get(pk=claim.pk))
    grant_require_active(grant)
    locked = (Claim.objects.select_for_update(of=("self",))
              .select_related("tranche__grant__application__organisation").get(pk=claim.pk))
    if locked.status != Claim.Status.VERIFIED:
        raise DomainError(_("Only a verified claim can be prepared for payment."),
                          code="claim_not_verified")
    if Disbursement.objects.filter(claim=locked, status__in=LIVE).exists():
        raise DomainError(_("This claim's payment has been prepared already."),
                          code="already_prepared")
    tranche = locked.tranche
    if tranche.number == FIRST_TRANCHE:
        problem = first_payment_problem(unmet=conditions_unmet(grant_id=grant.pk))
        if problem:
            raise DomainError(problem, code="conditions_unmet")
    problem = unsigned_version_problem(tranche_number=tranche.number,
                                       agreements=unsigned_versions(grant_id=grant.pk))
    if problem:
        raise DomainError(problem, code="agreement_unsigned")
    organisation = tranche.grant.application.organisation
    account = (BankAccount.objects.select_for_update()
               .filter(organisation=organisation).first())
    problem = bank_account_usable_problem(account, preparer=actor)
    if problem:
        raise DomainError(problem, code="bank_account_not_usable")
    payment = Disbursement.objects.create(
        claim=locked, tranche=tranche, grant=tranche.grant, amount=locked.amount,
        prepared_by=actor, payee_name=account.account_name, bank_name=account.bank_name,
        account_number=account.account_number, payee_verified_by=account.verified_by)
    audit_record(actor=actor, action="disbursement.prepare", obj=payment,
                 after={"claim": locked.pk, "tranche": tranche.number,
                        "amount": payment.amount, "status": payment.status,
                        **payee_snapshot(payment)})
    # Whoever prepared it may not approve it, so they are not asked to.
    notify_staff_of_claim(claim=locked, role=Role.FINANCE_APPROVER, event="payment_prepared",
                          url=reverse("finance:payments"), actor=actor)
    return payment


def _payment_row(payment: Disbursement) -> Disbursement:
    return (Disbursement.objects.select_for_update(of=("self",))
            .select_related("claim", "batch", "tranche__grant__application__organisation",
                            "tranche__grant__round")
            .get(pk=payment.pk))


def _locked(payment: Disbursement) -> Disbursement:
    """Lock the payment's grant, then the payment; refused unless the grant is active."""
    grant_require_active(grant_lock(grant_id=Disbursement.objects.values_list(
        "grant_id", flat=True).get(pk=payment.pk)))
    return _payment_row(payment)


@transaction.atomic
def payment_approve(*, actor, payment: Disbursement) -> Disbursement:
    """A finance approver approves a prepared payment: its amount and its payee, which the
    audit record of the approval names. Whoever prepared it can never approve it, whatever
    roles they hold (maker-checker)."""
    locked = _locked(payment)
    if locked.prepared_by_id == getattr(actor, "pk", None):
        raise PermissionDeniedError(_("You prepared this payment, so someone else must "
                                      "approve it."), code="maker_checker")
    require(actor, Action.APPROVE_PAYMENT)
    if locked.status != S.PREPARED:
        raise DomainError(_("Only a prepared payment can be approved; this one is "
                            "“%(status)s”.") % {"status": locked.get_status_display()},
                          code="not_prepared")
    locked.status = S.APPROVED
    locked.approved_by = actor
    locked.approved_at = timezone.now()
    locked.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(actor=actor, action="disbursement.approve", obj=locked,
                 before={"status": S.PREPARED},
                 after={"status": locked.status, "amount": locked.amount,
                        **payee_snapshot(locked)})
    notify_company(claim=locked.claim, event="claim_approved")
    return locked


def _batch_reference(now, batch_id: int) -> str:
    # Date and time for people, the batch's own number so that two batches made in the
    # same minute never collide on the unique reference (a random tail could).
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return f"PB-{stamp}-{batch_id:05d}"


def _grants_and_payments_locked(ids: list[int]):
    """The grants first, in order of their keys, then the payments (see ``locks``)."""
    grants = grants_lock(grant_ids=Disbursement.objects.filter(pk__in=ids)
                         .values_list("grant_id", flat=True))
    payments = list(Disbursement.objects.select_for_update(of=("self",))
                    .filter(pk__in=ids).order_by("pk")
                    .select_related("grant__application__organisation"))
    return grants, payments


@transaction.atomic
def payment_batch_create(*, actor, payment_ids: list[int]) -> PaymentBatch:
    """Put approved payments into a new batch for the bank. Each goes to the payee it was
    approved with, whatever the company's account on file says now (a changed account is
    used by the next payment prepared). Refused as a whole, changing nothing, when any
    payment is not approved."""
    require(actor, Action.PREPARE_PAYMENT)
    ids = sorted(set(payment_ids))
    if not ids:
        raise DomainError(_("Choose at least one approved payment."), code="empty_batch")
    grants, payments = _grants_and_payments_locked(ids)
    if len(payments) != len(ids):
        raise DomainError(_("Some of the chosen payments do not exist."), code="unknown")
    for payment in payments:
        if payment.status != S.APPROVED:
            raise DomainError(_(
                "Payment %(id)s is “%(status)s”, not approved: only approved payments can "
                "go into a batch.") % {"id": payment.pk, "status": payment.get_status_display()},
                code="not_approved")
        grant_require_active(grants[payment.grant_id])
    now = timezone.now()
    batch = PaymentBatch.objects.create(reference=f"PB-NEW-{now.timestamp()}",
                                        created_by=actor, created_at=now)
    batch.reference = _batch_reference(now, batch.pk)
    batch.save(update_fields=["reference"])
    Disbursement.objects.filter(pk__in=ids).update(status=S.BATCHED, batch=batch)
    totals = batch_totals(batch=batch)
    audit_record(actor=actor, action="payment_batch.create", obj=batch,
                 after={"payments": ids, **totals})
    return batch


def release_refusal(*, actor, payment: Disbursement) -> str | None:
    """Why ``actor`` may not release ``payment`` to the bank, or None: the preparer never
    may, and the approver may not either where ``FINANCE_SEPARATE_RELEASE`` is on."""
    actor_id = getattr(actor, "pk", None)
    if payment.prepared_by_id == actor_id:
        return _("You prepared payment %(id)s, so someone else must release it.") % {
            "id": payment.pk}
    if settings.FINANCE_SEPARATE_RELEASE and payment.approved_by_id == actor_id:
        return _("You approved payment %(id)s, so a third person must release it.") % {
            "id": payment.pk}
    return None


def _remittance(payment: Disbursement) -> str:
    application = payment.grant.application
    return f"AISS {application.reference or application.pk} T{payment.tranche.number}"


@transaction.atomic
def payment_batch_release(*, actor, batch: PaymentBatch, execution_date: date) -> PaymentBatch:
    """Release a batch to the bank: write its ISO 20022 pain.001 file once, with the
    requested execution date and the scheme's debit account, and keep its SHA-256. From
    then on neither the batch nor its file changes."""
    require(actor, Action.RELEASE_PAYMENT_BATCH)
    if execution_date is None or execution_date < timezone.localdate():
        raise DomainError(_("The execution date cannot be before today."),
                          code="execution_date_past", field="execution_date")
    ids = list(Disbursement.objects.filter(batch=batch).order_by("pk")
               .values_list("pk", flat=True))
    grants, payments = _grants_and_payments_locked(ids)
    locked = PaymentBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.is_released:
        raise DomainError(_("This batch was released already."), code="already_released")
    for payment in payments:
        refusal = release_refusal(actor=actor, payment=payment)
        if refusal:
            raise PermissionDeniedError(refusal, code="segregation_of_duties")
        if payment.status != S.BATCHED:
            raise DomainError(_("Payment %(id)s is no longer waiting in the batch.")
                              % {"id": payment.pk}, code="not_batched")
        grant_require_active(grants[payment.grant_id])
    now = timezone.now()
    debtor = Debtor(name=settings.FINANCE_DEBTOR_NAME, account=settings.FINANCE_DEBTOR_ACCOUNT,
                    bic=settings.FINANCE_DEBTOR_BIC)
    transfers = [Transfer(end_to_end_id=p.end_to_end_id, amount=p.amount,
                          payee_name=p.payee_name, bank_name=p.bank_name,
                          account_number=p.account_number, remittance=_remittance(p))
                 for p in Disbursement.objects.filter(pk__in=ids).order_by("pk")
                 .select_related("grant__application", "tranche")]
    content = pain001_build(message_id=locked.reference, created_at=timezone.localtime(now),
                            execution_date=execution_date, debtor=debtor,
                            transfers=transfers)
    locked.released_by = actor
    locked.released_at = now
    locked.execution_date = execution_date
    locked.debit_account = settings.FINANCE_DEBTOR_ACCOUNT
    locked.file_xml = content
    locked.file_sha256 = hashlib.sha256(content.encode()).hexdigest()
    locked.save(update_fields=["released_by", "released_at", "execution_date",
                               "debit_account", "file_xml", "file_sha256"])
    Disbursement.objects.filter(pk__in=ids).update(
        released_by=actor, release_separate=settings.FINANCE_SEPARATE_RELEASE)
    audit_record(actor=actor, action="payment_batch.release", obj=locked,
                 after={"payments": ids, "execution_date": execution_date,
                        "debit_account": locked.debit_account,
                        "file_sha256": locked.file_sha256, **batch_totals(batch=locked)})
    return locked


def batch_totals(*, batch: PaymentBatch) -> dict:
    """The batch's count and total as sent to the bank, and how much of it is paid and
    failed, summed in SQL from its payments."""
    figures = batch.disbursements.aggregate(
        count=Count("pk"), total=Sum("amount"),
        paid=Sum("amount", filter=Q(status=S.PAID)),
        failed=Sum("amount", filter=Q(status=S.FAILED)))
    return {"count": figures["count"], "total": figures["total"] or 0,
            "paid": figures["paid"] or 0, "failed": figures["failed"] or 0}


def _locked_for_payment(payment: Disbursement) -> Disbursement:
    """Lock the grant, the tranche and the payment, in that order; refused unless the
    grant is active."""
    grant_id, tranche_id = Disbursement.objects.values_list("grant_id", "tranche_id").get(
        pk=payment.pk)
    grant_require_active(grant_lock(grant_id=grant_id))
    Tranche.objects.select_for_update().filter(pk=tranche_id).values_list("pk").get()
    return _payment_row(payment)


def _require_recorder(actor, payment: Disbursement) -> None:
    """The bank's answer for a payment is entered by hand by finance, but not by the
    person who prepared the payment."""
    require(actor, Action.PREPARE_PAYMENT)
    if payment.prepared_by_id == getattr(actor, "pk", None):
        raise PermissionDeniedError(_("You prepared this payment, so someone else must "
                                      "record what the bank did with it."),
                                    code="segregation_of_duties")


def _require_released(locked: Disbursement) -> None:
    if locked.status == S.PAID:
        raise DomainError(_("This payment is marked paid already (bank reference "
                            "%(ref)s).") % {"ref": locked.bank_reference},
                          code="already_paid")
    if locked.status != S.BATCHED or locked.batch is None or not locked.batch.is_released:
        raise DomainError(_("Only a payment released to the bank in a batch can be "
                            "settled."), code="not_batched")


def payment_settle_paid(*, actor, payment: Disbursement, bank_reference: str,
                        value_date: date, statement=None) -> Disbursement:
    """Record that the bank paid a released payment (by hand or from a statement), under
    the caller's transaction. Refused if it is not with the bank (e.g. paid already), if
    its tranche is paid, if the bank reference is another payment's, if the value date is
    after today or before the batch's release, or if the grant would be paid more than
    its approved amount."""
    bank_reference = (bank_reference or "").strip()[:60]
    if not bank_reference:
        raise DomainError(_("Enter the bank's reference for the payment."),
                          code="bank_reference_missing", field="bank_reference")
    if value_date is None:
        raise DomainError(_("Enter the value date of the payment."),
                          code="value_date_missing", field="value_date")
    locked = _locked_for_payment(payment)
    _require_released(locked)
    released_on = timezone.localdate(locked.batch.released_at)
    if value_date > timezone.localdate():
        raise DomainError(_("The value date cannot be after today."),
                          code="value_date_future", field="value_date")
    if value_date < released_on:
        raise DomainError(_("The value date cannot be before the batch was released "
                            "(%(date)s).") % {"date": released_on.isoformat()},
                          code="value_date_before_release", field="value_date")
    period_require_open(value_date=value_date)
    if Disbursement.objects.filter(bank_reference=bank_reference).exists():
        raise DomainError(_("Bank reference %(ref)s is recorded for another payment "
                            "already.") % {"ref": bank_reference},
                          code="bank_reference_used", field="bank_reference")
    tranche = locked.tranche
    if tranche.status != Tranche.Status.SCHEDULED:
        raise DomainError(_("Tranche %(n)s is %(status)s already.")
                          % {"n": tranche.number,
                             "status": tranche.get_status_display().lower()},
                          code="tranche_not_payable")
    grant = tranche.grant
    if grant_paid(grant_id=grant.pk) + locked.amount > grant.approved_amount:
        raise DomainError(_("Paying %(amount)s would take the grant above its approved "
                            "amount.") % {"amount": money(locked.amount)},
                          code="above_approved")
    locked.status = S.PAID
    locked.bank_reference = bank_reference
    locked.value_date = value_date
    locked.paid_by = actor
    locked.paid_at = timezone.now()
    locked.save(update_fields=["status", "bank_reference", "value_date", "paid_by",
                               "paid_at"])
    PaymentOutcome.objects.create(payment=locked, kind=PaymentOutcome.Kind.PAID,
                                  bank_reference=bank_reference, value_date=value_date,
                                  statement=statement, recorded_by=actor)
    Tranche.objects.filter(pk=tranche.pk).update(status=Tranche.Status.PAID)
    Claim.objects.filter(pk=locked.claim_id).update(status=Claim.Status.PAID)
    audit_record(actor=actor, action="disbursement.paid", obj=locked,
                 before={"status": S.BATCHED},
                 after={"status": S.PAID, "bank_reference": locked.bank_reference,
                        "value_date": value_date, "amount": locked.amount,
                        "statement": getattr(statement, "pk", None)})
    notify_company(claim=locked.claim, event="claim_paid",
                   extra={"bank_reference": locked.bank_reference})
    return locked


def payment_settle_failed(*, actor, payment: Disbursement, reason: str,
                          statement=None) -> Disbursement:
    """Record that the bank did not pay a released payment (failed), or sent a paid one
    back (returned), under the caller's transaction. The payment stays in its batch as
    sent; its claim waits for a new payment (and a paid tranche is payable again)."""
    reason = (reason or "").strip()[:2000]
    if not reason:
        raise DomainError(_("Give the reason the bank gave for the failure."),
                          code="reason_missing", field="reason")
    locked = _locked_for_payment(payment)
    was = locked.status
    if was == S.PAID:
        kind = PaymentOutcome.Kind.RETURNED
    else:
        _require_released(locked)
        kind = PaymentOutcome.Kind.FAILED
    if was == S.PAID:
        # Paid in a month already closed: the return is posted in the open period.
        period_adjust_for_return(actor=actor, payment=locked, reason=reason)
    locked.status = S.FAILED
    locked.failure_reason = reason
    locked.save(update_fields=["status", "failure_reason"])
    PaymentOutcome.objects.create(payment=locked, kind=kind, reason=reason,
                                  statement=statement, recorded_by=actor)
    if was == S.PAID:
        Tranche.objects.filter(pk=locked.tranche_id).update(status=Tranche.Status.SCHEDULED)
        Claim.objects.filter(pk=locked.claim_id).update(status=Claim.Status.VERIFIED)
    audit_record(actor=actor, action=f"disbursement.{kind}", obj=locked,
                 before={"status": was, "batch": locked.batch_id},
                 after={"status": S.FAILED, "reason": reason,
                        "statement": getattr(statement, "pk", None)})
    return locked


@transaction.atomic
def payment_mark_paid(*, actor, payment: Disbursement, bank_reference: str,
                      value_date: date) -> Disbursement:
    """Finance records by hand that the bank paid a released payment."""
    _require_recorder(actor, payment)
    return payment_settle_paid(actor=actor, payment=payment, bank_reference=bank_reference,
                               value_date=value_date)


@transaction.atomic
def payment_mark_failed(*, actor, payment: Disbursement, reason: str) -> Disbursement:
    """Finance records by hand that the bank could not pay a released payment, or
    returned it. The claim is paid again by a new payment in a new batch."""
    _require_recorder(actor, payment)
    return payment_settle_failed(actor=actor, payment=payment, reason=reason)
