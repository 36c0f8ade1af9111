"""Grants ready for money, and the claim-to-payment path through the finance services."""

from datetime import date
from decimal import Decimal

from applicants.models import Application, BudgetLine, Milestone, status_gate_open
from subsidy.finance.models import BankAccount
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_prepare,
)
from subsidy.platform.models import User
from subsidy.scheme.models import Grant
from tests.factories import FundingRoundFactory, MembershipFactory


def make_accepted_grant(*, round_=None, amount="1000000.00", shares=("40", "30", "30"),
                        owner=None, category="nlp"):
    """An accepted grant with three milestones (40/30/30 by default), budget lines, and a
    company owner (``grant.owner``) with a bank account."""
    round_ = round_ or FundingRoundFactory()
    membership = MembershipFactory(user=owner) if owner else MembershipFactory()
    application = Application.objects.create(
        round=round_, organisation=membership.organisation, title="Cantonese ASR",
        reference=f"AISS-{round_.code}-{membership.organisation.pk:05d}", category=category,
        total_eligible_cost=Decimal(amount) * 2, requested_subsidy=Decimal(amount))
    for position, share in enumerate(shares):
        Milestone.objects.create(application=application, position=position,
                                 deliverable=f"Milestone {position + 1}",
                                 due_date=date(2027 + position * 3 // 12, 1 + position * 3 % 12, 1),
                                 share_percent=Decimal(share))
    BudgetLine.objects.create(application=application, category="compute",
                              description="GPU time", quantity=Decimal("1000"),
                              unit_cost=Decimal(amount) * 2 / 1000,
                              amount=Decimal(amount) * 2)
    with status_gate_open():
        Application.objects.filter(pk=application.pk).update(status="accepted")
    BankAccount.objects.create(organisation=membership.organisation, bank_name="HSBC",
                               account_name=membership.organisation.name_en,
                               account_number="004-123-456789-001")
    grant = Grant.objects.create(application=application, round=round_, status="accepted",
                                 approved_amount=Decimal(amount),
                                 approved_ratio_percent=Decimal("50"))
    grant.owner = membership.user
    return grant


def claim_first_tranche(grant, *, amount=None):
    tranche = grant.tranches.get(number=1)
    return claim_submit(actor=grant.owner, tranche=tranche,
                        data=ClaimInput(amount=amount or tranche.amount,
                                        narrative="Prototype delivered."))


def approved_payment(grant, officer, finance_officer, finance_approver, *, number=1):
    """Tranche ``number`` claimed, verified, and its payment prepared and approved."""
    tranche = grant.tranches.get(number=number)
    claim = claim_submit(actor=grant.owner, tranche=tranche,
                         data=ClaimInput(amount=tranche.amount, narrative="Done."))
    claim_verify(actor=officer, claim=claim)
    payment = payment_prepare(actor=finance_officer, claim=claim)
    return payment_approve(actor=finance_approver, payment=payment)


def batched_payment(grant, officer, finance_officer, finance_approver, *, number=1):
    """Tranche ``number`` claimed, verified, prepared, approved and sent in a batch."""
    payment = approved_payment(grant, officer, finance_officer, finance_approver,
                               number=number)
    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    payment.refresh_from_db()
    return payment, batch


def demo_money_people() -> dict:
    """The demo's applicant, programme officer, finance officer and approver, by the name
    before the @ of their email (run ``demo_seed`` first)."""
    return {email.split("@")[0]: User.objects.get(email=email) for email in [
        "applicant@demo.aiss.hk", "officer@demo.aiss.hk", "finance@demo.aiss.hk",
        "approver@demo.aiss.hk"]}
