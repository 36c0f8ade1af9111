"""Factories for the money side of a grant: bank accounts, tranches, claims, payments and
batches. Plain rows in a consistent state; the flows that move money are built through the
services (``tests.builders.finance``)."""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from subsidy.finance.models import (
    BankAccount,
    Claim,
    ClaimEvidence,
    ClaimSpend,
    Disbursement,
    PaymentBatch,
    Tranche,
)

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
    """A prepared payment of a verified claim (maker only; approval names another user)."""

    class Meta:
        model = Disbursement

    claim = factory.SubFactory(ClaimFactory, status=Claim.Status.VERIFIED,
                               verified_at=factory.LazyFunction(timezone.now))
    tranche = factory.SelfAttribute("claim.tranche")
    grant = factory.SelfAttribute("tranche.grant")
    amount = factory.SelfAttribute("claim.amount")
    prepared_by = factory.SubFactory(UserFactory)
