"""Disbursement: a grant's tranche schedule, the applicant's claims with progress reports,
the payments finance prepares and approves (maker-checker), and the batches sent to the
bank (DOMAIN.md, "Disbursement").

What was paid is never stored as a total: it is summed in SQL from the paid payments
(``subsidy.scheme.ledger``). The money invariants are database constraints here and, on
PostgreSQL, deferred constraint triggers (migration ``0006_disbursement``).
"""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from subsidy.platform.money import MONEY, money
from subsidy.scheme.models import Grant


def mask_account_number(number: str) -> str:
    """An account number as people without finance's access see it: its last four digits."""
    digits = (number or "").replace("-", "").replace(" ", "")
    return "•" * max(len(digits) - 4, 4) + digits[-4:]


class BankAccount(models.Model):
    """The account a company's grant is paid into, entered by the company's owner or
    editor. Only finance staff see the full number; everyone else sees it masked."""

    organisation = models.OneToOneField("applicants.Organisation", on_delete=models.CASCADE,
                                        related_name="bank_account",
                                        verbose_name=_("organisation"))
    bank_name = models.CharField(_("bank name"), max_length=120)
    account_name = models.CharField(_("account name"), max_length=200)
    account_number = models.CharField(_("account number"), max_length=40)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    # A new or changed account is usable for payments only once a finance officer has
    # checked it (not the one who then prepares a payment to it) and its cooling-off
    # period (``FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS`` after the change) has passed.
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    usable_from = models.DateTimeField(_("usable for payments from"), default=timezone.now)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self):
        return f"{self.bank_name} {self.masked_number}"

    @property
    def masked_number(self) -> str:
        return mask_account_number(self.account_number)


class Tranche(models.Model):
    """One instalment of a grant, following one milestone. A grant's tranches always sum
    to its approved amount; on termination the unpaid ones are cancelled (their amounts
    stay on record, but nothing more is paid)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    grant = models.ForeignKey(Grant, on_delete=models.CASCADE, related_name="tranches",
                              verbose_name=_("grant"))
    number = models.PositiveSmallIntegerField(_("tranche"))
    milestone = models.ForeignKey("applicants.Milestone", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="tranches",
                                  verbose_name=_("milestone"))
    description = models.CharField(_("deliverable"), max_length=300)
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (HKD)"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SCHEDULED)

    class Meta:
        verbose_name = _("tranche")
        verbose_name_plural = _("tranches")
        ordering = ["grant", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grant", "number"], name="tranche_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")),
                                   name="tranche_amount_not_negative"),
            models.CheckConstraint(condition=Q(status__in=["scheduled", "paid", "cancelled"]),
                                   name="tranche_status_known"),
        ]

    def __str__(self):
        return f"{self.grant.application} – {self.number}"


class Claim(models.Model):
    """The applicant's request to be paid a tranche, with a progress report. The programme
    officer verifies it or returns it with comments; a returned claim is revised and sent
    again. At most one live (not withdrawn) claim exists per tranche."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting verification")
        RETURNED = "returned", _("Returned for changes")
        VERIFIED = "verified", _("Verified")
        PAID = "paid", _("Paid")
        CANCELLED = "cancelled", _("Cancelled")

    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT, related_name="claims",
                                verbose_name=_("tranche"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.SUBMITTED, db_index=True)
    amount = models.DecimalField(_("amount claimed (HKD)"), **MONEY)
    narrative = models.TextField(_("progress report"), max_length=8000, blank=True)
    # The milestone's progress report sent already, instead of writing it again here.
    progress_report = models.ForeignKey("subsidy.ProgressReport", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="claims",
                                        verbose_name=_("progress report sent"))
    officer_comment = models.TextField(_("officer's comments"), blank=True, max_length=4000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    first_submitted_at = models.DateTimeField(default=timezone.now)
    returned_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    revision = models.PositiveSmallIntegerField(default=1)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tranche"], condition=~Q(status="cancelled"),
                                    name="claim_one_live_per_tranche"),
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")),
                                   name="claim_amount_positive"),
            # A claim carries its progress report: written out, or the one sent already.
            models.CheckConstraint(condition=~Q(narrative="") | Q(progress_report__isnull=False),
                                   name="claim_reports_progress"),
        ]

    def __str__(self):
        return f"{self.tranche} ({self.get_status_display()})"


class ClaimSpend(models.Model):
    """Actual spend on one budget line of the application, reported with a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="spend",
                              verbose_name=_("claim"))
    budget_line = models.ForeignKey("applicants.BudgetLine", on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("budget line"))
    actual_amount = models.DecimalField(_("actual spend (HKD)"), **MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["claim", "budget_line"],
                                    name="claim_spend_line_unique"),
            models.CheckConstraint(condition=Q(actual_amount__gte=Decimal("0")),
                                   name="claim_spend_not_negative"),
        ]

    def __str__(self):
        return f"{self.budget_line_id}: {money(self.actual_amount)}"


def evidence_upload_to(instance, filename: str) -> str:
    extension = os.path.splitext(filename)[1].lower()[:8]
    return f"claims/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{extension}"


class ClaimEvidence(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence",
                              verbose_name=_("claim"))
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    mime_type = models.CharField(_("detected type"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class PaymentBatch(models.Model):
    """Approved payments sent to the bank together. Its total and count are summed from
    its payments, never stored. A finance officer puts it together; someone else releases
    it to the bank, which writes its ISO 20022 file once: from then on the batch, its
    payments' payees and the file (kept with its SHA-256) never change (on PostgreSQL a
    trigger refuses it). What the bank did with each payment is recorded as outcomes."""

    reference = models.CharField(_("batch reference"), max_length=40, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("released by"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    execution_date = models.DateField(_("requested execution date"), null=True, blank=True)
    debit_account = models.CharField(_("debit account"), max_length=40, blank=True)
    file_xml = models.TextField(_("bank file (pain.001)"), blank=True)
    file_sha256 = models.CharField(_("bank file SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(released_at__isnull=True)
                | (Q(released_by__isnull=False) & Q(execution_date__isnull=False)
                   & ~Q(file_xml="") & Q(file_sha256__regex=r"^[0-9a-f]{64}$")),
                name="payment_batch_released_has_file"),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_released(self) -> bool:
        return self.released_at is not None


class Disbursement(models.Model):
    """One payment: the payment of one verified claim. A finance officer prepares it; a
    different finance approver approves it (maker-checker, also a database constraint); it
    goes to the bank in a batch, released by a third person where
    ``FINANCE_SEPARATE_RELEASE`` asks for it, and the bank's answer is recorded as an
    outcome: paid with the bank reference, or failed (or returned) with a reason. A failed
    payment stays in its batch as it was sent; paying the claim again means a new payment
    in a new batch.

    The payee (name, bank, account number) is copied from the company's verified bank
    account when the payment is prepared, shown to the approver and covered by the
    approval, and goes to the bank as it is: a later change of the account on file does not
    touch it.

    The pages and the code call it a payment (``payment_prepare``, ``paid_payments``...).
    The class, its table, its related names and its audit actions (``disbursement.*``)
    keep the older name: the audit trail records the class name as the object type, and
    renaming it would split one payment's history in two. The finance report of every
    payment keeps its name too: the disbursement register."""

    class Status(models.TextChoices):
        PREPARED = "prepared", _("Prepared")
        APPROVED = "approved", _("Approved")
        BATCHED = "batched", _("Sent to the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed at the bank")
        CANCELLED = "cancelled", _("Cancelled")

    # A claim has at most one live payment; a failed or cancelled one stays on record.
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="disbursements",
                              verbose_name=_("claim"))
    # Denormalised from the claim so that the database can refuse a second paid payment
    # for a tranche and sum a grant's payments without joins.
    tranche = models.ForeignKey(Tranche, on_delete=models.PROTECT,
                                related_name="disbursements", verbose_name=_("tranche"))
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="disbursements",
                              verbose_name=_("grant"))
    amount = models.DecimalField(_("amount (HKD)"), **MONEY)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PREPARED, db_index=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("prepared by"))
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="disbursements", verbose_name=_("batch"))
    # The payee, copied from the verified bank account when the payment is prepared.
    payee_name = models.CharField(_("payee"), max_length=200)
    bank_name = models.CharField(_("bank name"), max_length=120)
    account_number = models.CharField(_("account number"), max_length=40)
    # Empty only on payments prepared before accounts were verified.
    payee_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("account verified by"))
    # Who released the payment's batch to the bank, and whether the release had to be by a
    # third person (``FINANCE_SEPARATE_RELEASE`` when it was released).
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("released by"))
    release_separate = models.BooleanField(default=False)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    paid_at = models.DateTimeField(_("marked paid at"), null=True, blank=True)
    failure_reason = models.TextField(_("reason of the last failure"), blank=True,
                                      max_length=2000)

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-prepared_at", "-id"]
        indexes = [models.Index(fields=["grant", "status"], name="disb_grant_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["tranche"], condition=Q(status="paid"),
                                    name="disbursement_one_paid_per_tranche"),
            models.UniqueConstraint(fields=["claim"],
                                    condition=~Q(status__in=["failed", "cancelled"]),
                                    name="disbursement_one_live_per_claim"),
            models.UniqueConstraint(fields=["bank_reference"], condition=~Q(bank_reference=""),
                                    name="disbursement_bank_reference_unique"),
            models.CheckConstraint(condition=~Q(payee_name="") & ~Q(account_number=""),
                                   name="disbursement_has_payee"),
            models.CheckConstraint(condition=~Q(payee_verified_by=F("prepared_by")),
                                   name="disbursement_payee_verified_by_another"),
            models.CheckConstraint(
                condition=Q(released_by__isnull=True)
                | (~Q(released_by=F("prepared_by"))
                   & (Q(release_separate=False) | ~Q(released_by=F("approved_by")))),
                name="disbursement_release_segregated"),
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")),
                                   name="disbursement_amount_positive"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("prepared_by")),
                name="disbursement_maker_checker"),
            models.CheckConstraint(
                condition=~Q(status="paid") | (~Q(bank_reference="")
                                               & Q(value_date__isnull=False)),
                name="disbursement_paid_has_bank_reference"),
            models.CheckConstraint(
                condition=Q(status__in=["prepared", "cancelled"]) | Q(approved_by__isnull=False),
                name="disbursement_approved_has_approver"),
        ]

    def __str__(self):
        return f"{self.tranche} – {money(self.amount)}"

    @property
    def end_to_end_id(self) -> str:
        """The payment's identifier in the bank file, which the bank's statement quotes
        back (ISO 20022 EndToEndId, at most 35 characters)."""
        return f"AISS-PAY-{self.pk:010d}"

    @property
    def masked_number(self) -> str:
        return mask_account_number(self.account_number)


class PaymentOutcome(models.Model):
    """What the bank did with a payment, one row per answer, never changed: paid (with the
    bank's reference and value date), failed (refused before paying) or returned (paid,
    then sent back). Entered by hand from the batch page or matched from an imported bank
    statement."""

    class Kind(models.TextChoices):
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        RETURNED = "returned", _("Returned")

    payment = models.ForeignKey(Disbursement, on_delete=models.PROTECT,
                                related_name="outcomes", verbose_name=_("payment"))
    kind = models.CharField(_("outcome"), max_length=10, choices=Kind.choices)
    bank_reference = models.CharField(_("bank reference"), max_length=60, blank=True)
    value_date = models.DateField(_("value date"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=2000)
    statement = models.ForeignKey("BankStatement", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="outcomes",
                                  verbose_name=_("bank statement"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("payment outcome")
        verbose_name_plural = _("payment outcomes")
        ordering = ["recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "kind"], name="payment_outcome_once"),
            models.CheckConstraint(condition=Q(kind__in=["paid", "failed", "returned"]),
                                   name="payment_outcome_kind_known"),
            models.CheckConstraint(
                condition=~Q(kind="paid") | (~Q(bank_reference="")
                                             & Q(value_date__isnull=False)),
                name="payment_outcome_paid_has_reference"),
            models.CheckConstraint(condition=Q(kind="paid") | ~Q(reason=""),
                                   name="payment_outcome_failure_has_reason"),
        ]

    def __str__(self):
        return f"{self.payment_id}: {self.kind}"


class Recovery(models.Model):
    """A recovery order: money a grantee must pay back (an overpayment, an early end of
    the project, a breach of the grant's conditions). What was received is summed from its
    receipts, never stored; net paid = paid − received (``subsidy.scheme.ledger``).

    A finance officer raises it and a finance approver (never the one who raised it)
    approves it before any receipt is recorded against it, so no one person can lower net
    paid (maker-checker, also in PostgreSQL: migration ``0014_recovery_approval``). Orders
    raised before approvals existed carry ``approved_at`` without an approver."""

    class Reason(models.TextChoices):
        OVERPAYMENT = "overpayment", _("Overpayment")
        TERMINATION = "termination", _("Termination of the grant")
        BREACH = "breach", _("Breach of the grant's conditions")

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="recoveries",
                              verbose_name=_("grant"))
    reason = models.CharField(_("reason"), max_length=12, choices=Reason.choices)
    amount = models.DecimalField(_("amount to recover (HKD)"), **MONEY)
    note = models.TextField(_("explanation"), max_length=4000)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recovery order")
        verbose_name_plural = _("recovery orders")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")),
                                   name="recovery_amount_positive"),
            models.CheckConstraint(
                condition=Q(reason__in=["overpayment", "termination", "breach"]),
                name="recovery_reason_known"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("raised_by")),
                name="recovery_maker_checker"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | Q(approved_at__isnull=False),
                name="recovery_approved_has_time"),
        ]

    def __str__(self):
        return f"{self.grant} – {self.get_reason_display()} {money(self.amount)}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class RecoveryReceipt(models.Model):
    """Money received from the grantee against a recovery order, as the bank shows it."""

    recovery = models.ForeignKey(Recovery, on_delete=models.PROTECT, related_name="receipts",
                                 verbose_name=_("recovery order"))
    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("grant"))
    amount = models.DecimalField(_("amount received (HKD)"), **MONEY)
    received_on = models.DateField(_("value date"))
    bank_reference = models.CharField(_("bank reference"), max_length=60, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("recovery receipt")
        verbose_name_plural = _("recovery receipts")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")),
                                   name="recovery_receipt_amount_positive"),
            models.CheckConstraint(condition=~Q(bank_reference=""),
                                   name="recovery_receipt_has_bank_reference"),
        ]

    def __str__(self):
        return f"{self.bank_reference} – {money(self.amount)}"
