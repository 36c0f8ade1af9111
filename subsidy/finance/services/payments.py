"""Payments: a finance officer prepares the payment of a verified claim, a different
finance approver approves it, approved payments go to the bank in a batch, and each is
marked paid with the bank's reference or failed with a reason (back to approved).

Every step locks rows in the one order of ``locks`` (grant, then tranche, then claim, then
payment) and refuses unless the grant is active. So two finance users acting on the same
batch at the same moment take turns (the second finds the payment already paid and is
refused), and a termination and a payment step on the same grant take turns (the one that
comes second sees what the first did). The database refuses a second paid payment for a
tranche and, on PostgreSQL, paid above the approved amount.
"""

import secrets
from datetime import date

from django.db import transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from subsidy.finance.models import BankAccount, Claim, Disbursement, PaymentBatch, Tranche
from subsidy.finance.services.common import notify_company, notify_staff_of_claim
from subsidy.finance.services.locks import grant_lock, grant_require_active, grants_lock
from subsidy.platform.audit import audit_record
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.money import money
from subsidy.platform.permissions import Action, require
from subsidy.platform.roles import Role
from subsidy.scheme.ledger import grant_paid

S = Disbursement.Status


@transaction.atomic
def payment_prepare(*, actor, claim: Claim) -> Disbursement:
    """The finance officer prepares the payment of a verified claim."""
    require(actor, Action.PREPARE_PAYMENT)
    grant = grant_lock(grant_id=Claim.objects.values_list("tranche__grant_id", flat=True)
                       .get(pk=claim.pk))
    grant_require_active(grant)
    locked = (Claim.objects.select_for_update(of=("self",))
              .select_related("tranche__grant").get(pk=claim.pk))
    if locked.status != Claim.Status.VERIFIED:
        raise DomainError(_("Only a verified claim can be prepared for payment."),
                          code="claim_not_verified")
    if Disbursement.objects.filter(claim=locked).exists():
        raise DomainError(_("This claim's payment has been prepared already."),
                          code="already_prepared")
    tranche = locked.tranche
    payment = Disbursement.objects.create(
        claim=locked, tranche=tranche, grant=tranche.grant, amount=locked.amount,
        prepared_by=actor)
    audit_record(actor=actor, action="disbursement.prepare", obj=payment,
                 after={"claim": locked.pk, "tranche": tranche.number,
                        "amount": payment.amount, "status": payment.status})
    # Whoever prepared it may not approve it, so they are not asked to.
    notify_staff_of_claim(claim=locked, role=Role.FINANCE_APPROVER, event="payment_prepared",
                          url=reverse("finance:payments"), actor=actor)
    return payment


def _payment_row(payment: Disbursement) -> Disbursement:
    return (Disbursement.objects.select_for_update(of=("self",))
            .select_related("claim", "tranche__grant__application__organisation",
                            "tranche__grant__round")
            .get(pk=payment.pk))


def _locked(payment: Disbursement) -> Disbursement:
    """Lock the payment's grant, then the payment; refused unless the grant is active."""
    grant_require_active(grant_lock(grant_id=Disbursement.objects.values_list(
        "grant_id", flat=True).get(pk=payment.pk)))
    return _payment_row(payment)


@transaction.atomic
def payment_approve(*, actor, payment: Disbursement) -> Disbursement:
    """A finance approver approves a prepared payment. Whoever prepared it can never
    approve it, whatever roles they hold (maker-checker)."""
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
                 before={"status": S.PREPARED}, after={"status": locked.status})
    notify_company(claim=locked.claim, event="claim_approved")
    return locked


def _batch_reference(now, batch_id: int) -> str:
    # Date and time for people, the batch's own number so that two batches made in the
    # same minute never collide on the unique reference (a random tail could).
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return f"PB-{stamp}-{batch_id:05d}"


@transaction.atomic
def payment_batch_create(*, actor, payment_ids: list[int]) -> PaymentBatch:
    """Put approved payments into a new batch for the bank, copying each company's bank
    account on file as the payee. Refused as a whole, changing nothing, when any payment
    is not approved or its company has no bank account."""
    require(actor, Action.PREPARE_PAYMENT)
    ids = sorted(set(payment_ids))
    if not ids:
        raise DomainError(_("Choose at least one approved payment."), code="empty_batch")
    # The grants first, in order of their keys, then the payments (see ``locks``).
    grants = grants_lock(grant_ids=Disbursement.objects.filter(pk__in=ids)
                         .values_list("grant_id", flat=True))
    payments = list(Disbursement.objects.select_for_update(of=("self",))
                    .filter(pk__in=ids).order_by("pk")
                    .select_related("grant__application__organisation"))
    if len(payments) != len(ids):
        raise DomainError(_("Some of the chosen payments do not exist."), code="unknown")
    accounts = {a.organisation_id: a for a in BankAccount.objects.filter(
        organisation_id__in=[p.grant.application.organisation_id for p in payments])}
    for payment in payments:
        if payment.status != S.APPROVED:
            raise DomainError(_(
                "Payment %(id)s is “%(status)s”, not approved: only approved payments can "
                "go into a batch.") % {"id": payment.pk, "status": payment.get_status_display()},
                code="not_approved")
        grant_require_active(grants[payment.grant_id])
        if payment.grant.application.organisation_id not in accounts:
            raise DomainError(_("%(company)s has no bank account on file.")
                              % {"company": payment.grant.application.organisation.name_en},
                              code="no_bank_account")
    now = timezone.now()
    batch = PaymentBatch.objects.create(reference=f"PB-NEW-{secrets.token_hex(8)}",
                                        created_by=actor, created_at=now)
    batch.reference = _batch_reference(now, batch.pk)
    batch.save(update_fields=["reference"])
    for payment in payments:
        account = accounts[payment.grant.application.organisation_id]
        payment.status = S.BATCHED
        payment.batch = batch
        payment.payee_name = account.account_name
        payment.bank_name = account.bank_name
        payment.account_number = account.account_number
        payment.save(update_fields=["status", "batch", "payee_name", "bank_name",
                                    "account_number"])
    totals = batch_totals(batch=batch)
    audit_record(actor=actor, action="payment_batch.create", obj=batch,
                 after={"payments": ids, **totals})
    return batch


def batch_totals(*, batch: PaymentBatch) -> dict:
    """The batch's count and total, summed in SQL from its payments."""
    figures = batch.disbursements.aggregate(count=Count("pk"), total=Sum("amount"))
    return {"count": figures["count"], "total": figures["total"] or 0}


def _locked_for_payment(payment: Disbursement) -> Disbursement:
    """Lock the grant, the tranche and the payment, in that order; refused unless the
    grant is active."""
    grant_id, tranche_id = Disbursement.objects.values_list("grant_id", "tranche_id").get(
        pk=payment.pk)
    grant_require_active(grant_lock(grant_id=grant_id))
    Tranche.objects.select_for_update().filter(pk=tranche_id).values_list("pk").get()
    return _payment_row(payment)


@transaction.atomic
def payment_mark_paid(*, actor, payment: Disbursement, bank_reference: str,
                      value_date: date) -> Disbursement:
    """Record that the bank paid a batched payment. Refused if it is not with the bank
    (e.g. marked paid already), if its tranche is paid, or if the grant would be paid
    more than its approved amount."""
    require(actor, Action.PREPARE_PAYMENT)
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise DomainError(_("Enter the bank's reference for the payment."),
                          code="bank_reference_missing", field="bank_reference")
    if value_date is None:
        raise DomainError(_("Enter the value date of the payment."),
                          code="value_date_missing", field="value_date")
    locked = _locked_for_payment(payment)
    if locked.status == S.PAID:
        raise DomainError(_("This payment is marked paid already (bank reference "
                            "%(ref)s).") % {"ref": locked.bank_reference},
                          code="already_paid")
    if locked.status != S.BATCHED:
        raise DomainError(_("Only a payment sent to the bank in a batch can be marked "
                            "paid."), code="not_batched")
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
    locked.bank_reference = bank_reference[:60]
    locked.value_date = value_date
    locked.paid_by = actor
    locked.paid_at = timezone.now()
    locked.save(update_fields=["status", "bank_reference", "value_date", "paid_by",
                               "paid_at"])
    Tranche.objects.filter(pk=tranche.pk).update(status=Tranche.Status.PAID)
    Claim.objects.filter(pk=locked.claim_id).update(status=Claim.Status.PAID)
    audit_record(actor=actor, action="disbursement.paid", obj=locked,
                 before={"status": S.BATCHED},
                 after={"status": S.PAID, "bank_reference": locked.bank_reference,
                        "value_date": value_date, "amount": locked.amount})
    notify_company(claim=locked.claim, event="claim_paid",
                   extra={"bank_reference": locked.bank_reference})
    return locked


@transaction.atomic
def payment_mark_failed(*, actor, payment: Disbursement, reason: str) -> Disbursement:
    """The bank could not pay: the payment leaves its batch and returns to approved, to go
    into a later batch once the cause (often the bank details) is fixed."""
    require(actor, Action.PREPARE_PAYMENT)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason the bank gave for the failure."),
                          code="reason_missing", field="reason")
    locked = _locked_for_payment(payment)
    if locked.status != S.BATCHED:
        raise DomainError(_("Only a payment sent to the bank and not yet paid can fail."),
                          code="not_batched")
    before = {"status": locked.status, "batch": locked.batch_id}
    locked.status = S.APPROVED
    locked.batch = None
    locked.failure_reason = reason[:2000]
    locked.save(update_fields=["status", "batch", "failure_reason"])
    audit_record(actor=actor, action="disbursement.failed", obj=locked, before=before,
                 after={"status": S.APPROVED, "reason": locked.failure_reason})
    return locked
