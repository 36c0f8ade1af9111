"""Factories for the money side of a grant: bank accounts, tranches, claims, payments and
batches, the bank's outcomes and statements, and recovery orders with their receipts. Plain
rows in a consistent state; the flows that move money are built through the services
(``tests.builders.finance``)."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from subsidy.finance.bankfiles.records import BankStatement, BankStatementEntry
from subsidy.finance.models import (
    BankAccount,
    Claim,
    ClaimEvidence,
    ClaimSpend,
    Disbursement,
    PaymentBatch,
    PaymentOutcome,
    Recovery,
    RecoveryReceipt,
    Tranche,
)
from subsidy.finance.periods.records import AccountingPeriod, PeriodAdjustment

from .applicants import BudgetLineFactory, OrganisationFactory
from .platform import UserFactory
from .scheme import GrantFactory


class BankAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BankAccount

    organisation = factory.SubFactory(OrganisationFactory)
    bank_name = "HSBC"
    account_name = factory.SelfAttribute("organisation.name_en")
    account_number = "004-123-456789-001"


class TrancheFactory(factory.django.DjangoModelFactory):
    """The single tranche of an active grant."""

    class Meta:
        model = Tranche

    grant = factory.SubFactory(GrantFactory, status="active")
    number = factory.Sequence(lambda n: n + 1)
    description = "Prototype delivered"
    due_date = date(2027, 6, 30)
    # A grant's tranches sum to its approved amount (a constraint trigger on PostgreSQL):
    # one tranche pays the whole grant.
    amount = factory.SelfAttribute("grant.approved_amount")


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    tranche = factory.SubFactory(TrancheFactory)
    amount = factory.SelfAttribute("tranche.amount")
    narrative = "Prototype delivered."
    submitted_by = factory.SubFactory(UserFactory)


class ClaimSpendFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimSpend

    claim = factory.SubFactory(ClaimFactory)
    budget_line = factory.SubFactory(
        BudgetLineFactory, application=factory.SelfAttribute("..claim.tranche.grant.application"))
    actual_amount = Decimal("100000.00")


class ClaimEvidenceFactory(factory.django.DjangoModelFactory):
    """An evidence row naming a stored file that is not written."""

    class Meta:
        model = ClaimEvidence

    claim = factory.SubFactory(ClaimFactory)
    file = factory.Sequence(lambda n: f"claims/00/evidence{n}.pdf")
    original_name = "invoice.pdf"
    size = 2048
    mime_type = "application/pdf"
    uploaded_by = factory.SubFactory(UserFactory)


class PaymentBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentBatch

    reference = factory.Sequence(lambda n: f"PB-20270101-{n + 1:03d}")
    created_by = factory.SubFactory(UserFactory)


class DisbursementFactory(factory.django.DjangoModelFactory):
    """A prepared payment of a verified claim (maker only; approval names another user).
    ``paid=True`` gives one approved by another user and paid, with its bank reference."""

    class Meta:
        model = Disbursement

    class Params:
        paid = factory.Trait(
            status=Disbursement.Status.PAID,
            approved_by=factory.SubFactory(UserFactory),
            approved_at=factory.LazyFunction(timezone.now),
            bank_reference=factory.Sequence(lambda n: f"HSBC-PAY-{n + 1:06d}"),
            value_date=date(2027, 7, 2),
            paid_by=factory.SubFactory(UserFactory),
            paid_at=factory.LazyFunction(timezone.now),
        )

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.VERIFIED,
                               verified_at=factory.LazyFunction(timezone.now))
    tranche = factory.SelfAttribute("claim.tranche")
    grant = factory.SelfAttribute("tranche.grant")
    amount = factory.SelfAttribute("claim.amount")
    prepared_by = factory.SubFactory(UserFactory)
    # The payee is fixed on the payment when it is prepared (copied from the company's
    # verified bank account, verified by someone other than the maker).
    payee_name = factory.SelfAttribute("grant.application.organisation.name_en")
    bank_name = "HSBC"
    account_number = "004-123-456789-001"
    payee_verified_by = factory.SubFactory(UserFactory)


class PaymentOutcomeFactory(factory.django.DjangoModelFactory):
    """The bank's answer that a payment was paid, on a payment marked paid with the same
    reference."""

    class Meta:
        model = PaymentOutcome

    payment = factory.SubFactory(DisbursementFactory, paid=True)
    kind = PaymentOutcome.Kind.PAID
    bank_reference = factory.SelfAttribute("payment.bank_reference")
    value_date = factory.SelfAttribute("payment.value_date")
    recorded_by = factory.SelfAttribute("payment.paid_by")


class RecoveryFactory(factory.django.DjangoModelFactory):
    """An approved overpayment order on a grant that was paid (orders never exceed what was
    paid: a constraint trigger on PostgreSQL); ``pending=True`` leaves it unapproved."""

    class Meta:
        model = Recovery

    class Params:
        paid_payment = factory.SubFactory(DisbursementFactory, paid=True)
        pending = factory.Trait(approved_by=None, approved_at=None)

    grant = factory.SelfAttribute("paid_payment.grant")
    reason = Recovery.Reason.OVERPAYMENT
    amount = Decimal("100000.00")
    note = "Equipment bought for the project was returned to the supplier."
    raised_by = factory.SubFactory(UserFactory)
    approved_by = factory.SubFactory(UserFactory)
    approved_at = factory.LazyFunction(timezone.now)


class RecoveryReceiptFactory(factory.django.DjangoModelFactory):
    """Part of a recovery order received (receipts never exceed their order)."""

    class Meta:
        model = RecoveryReceipt

    recovery = factory.SubFactory(RecoveryFactory)
    grant = factory.SelfAttribute("recovery.grant")
    amount = Decimal("40000.00")
    received_on = date(2027, 8, 1)
    bank_reference = factory.Sequence(lambda n: f"HSBC-RCV-{n + 1:06d}")
    recorded_by = factory.SubFactory(UserFactory)


class BankStatementFactory(factory.django.DjangoModelFactory):
    """An imported CSV statement (each file once: its SHA-256 is unique)."""

    class Meta:
        model = BankStatement

    file_name = factory.Sequence(lambda n: f"statement-{n + 1:03d}.csv")
    format = BankStatement.Format.CSV
    file_sha256 = factory.Sequence(lambda n: f"{n + 1:064x}")
    statement_id = factory.Sequence(lambda n: f"STMT-2027-{n + 1:03d}")
    imported_by = factory.SubFactory(UserFactory)


class BankStatementEntryFactory(factory.django.DjangoModelFactory):
    """A statement entry that matched no payment: it stays on the exceptions list."""

    class Meta:
        model = BankStatementEntry

    statement = factory.SubFactory(BankStatementFactory)
    line = factory.Sequence(lambda n: n + 1)
    end_to_end_id = factory.Sequence(lambda n: f"AISS-PAY-{n + 900000:010d}")
    bank_reference = factory.Sequence(lambda n: f"HSBC-STM-{n + 1:06d}")
    amount = Decimal("250000.00")
    value_date = date(2027, 7, 2)
    kind = PaymentOutcome.Kind.PAID
    result = BankStatementEntry.Result.UNMATCHED
    message = "No payment has this end-to-end id."


class AccountingPeriodFactory(factory.django.DjangoModelFactory):
    """An open month (closing one goes through ``period_close``: it keeps the figures)."""

    class Meta:
        model = AccountingPeriod
        django_get_or_create = ("month",)

    month = factory.Sequence(lambda n: date(2025 + n // 12, n % 12 + 1, 1))


class PeriodAdjustmentFactory(factory.django.DjangoModelFactory):
    """A payment of a closed month returned by the bank, posted in an open month."""

    class Meta:
        model = PeriodAdjustment

    period = factory.SubFactory(AccountingPeriodFactory, month=date(2027, 9, 1))
    original_period = factory.SubFactory(AccountingPeriodFactory, month=date(2027, 8, 1))
    kind = PeriodAdjustment.Kind.PAYMENT_RETURNED
    payment = factory.SubFactory(DisbursementFactory, paid=True)
    amount = factory.LazyAttribute(lambda o: -o.payment.amount)
    reason = "Account closed."
    created_by = factory.SubFactory(UserFactory)
