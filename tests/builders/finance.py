"""Grants ready for money, and the claim-to-payment path through the finance services."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from applicants.models import Application, BudgetLine, Milestone, status_gate_open
from subsidy.finance.models import BankAccount
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_mark_paid,
    payment_prepare,
)
from subsidy.finance.services.recoveries import recovery_approve, recovery_raise
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.models import User
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory


def make_accepted_grant(*, round_=None, amount="1000000.00", shares=("40", "30", "30"),
                        owner=None, category="nlp", organisation=None):
    """An accepted grant with three milestones (40/30/30 by default), budget lines, and a
    company owner (``grant.owner``) with a bank account that finance has verified (by a
    finance officer of its own, ``grant.account_verifier``) and that is past its
    cooling-off period."""
    round_ = round_ or FundingRoundFactory()
    people = {"user": owner} if owner else {}
    membership = MembershipFactory(**people, **({"organisation": organisation}
                                                if organisation else {}))
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
    # The row is written here, not through the service: the verifier needs no role (and
    # so receives none of the finance notifications the tests count).
    verifier = UserFactory()
    BankAccount.objects.create(organisation=membership.organisation, bank_name="HSBC",
                               account_name=membership.organisation.name_en,
                               account_number="004-123-456789-001", verified_by=verifier,
                               verified_at=timezone.now(), usable_from=timezone.now())
    grant = Grant.objects.create(application=application, round=round_, status="accepted",
                                 approved_amount=Decimal(amount),
                                 approved_ratio_percent=Decimal("50"))
    grant.owner = membership.user
    grant.account_verifier = verifier
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


def batched_payment(grant, officer, finance_officer, finance_approver, *, number=1,
                    release=True):
    """Tranche ``number`` claimed, verified, prepared, approved, put in a batch and (unless
    ``release`` is False) released to the bank by a third finance user."""
    payment = approved_payment(grant, officer, finance_officer, finance_approver,
                               number=number)
    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    if release:
        batch = payment_batch_release(actor=releaser(), batch=batch,
                                      execution_date=timezone.localdate())
    payment.refresh_from_db()
    return payment, batch


def releaser():
    """A finance approver who neither prepared nor approved the payments to release."""
    return UserFactory(roles=[Role.FINANCE_APPROVER])


def demo_money_people() -> dict:
    """The demo's applicant, programme officer, finance officer and approver, by the name
    before the @ of their email (run ``demo_seed`` first)."""
    return {email.split("@")[0]: User.objects.get(email=email) for email in [
        "applicant@demo.aiss.hk", "officer@demo.aiss.hk", "finance@demo.aiss.hk",
        "approver@demo.aiss.hk", "treasury@demo.aiss.hk"]}


def settler():
    """A finance officer who did not prepare the payments whose bank answer they record."""
    return UserFactory(roles=[Role.FINANCE_OFFICER])


def mark_paid(payment, *, bank_reference: str, value_date=None, actor=None):
    """Record by hand that the bank paid ``payment`` on ``value_date`` (today by default),
    as finance does on that day: the clock is taken to the value date when it is later than
    today, since a value date can never be in the future."""
    actor = actor or settler()
    value_date = value_date or timezone.localdate()
    if value_date <= timezone.localdate():
        return payment_mark_paid(actor=actor, payment=payment, bank_reference=bank_reference,
                                 value_date=value_date)
    moment = timezone.make_aware(datetime.combine(value_date, time(10)))
    with time_machine.travel(moment, tick=False):
        return payment_mark_paid(actor=actor, payment=payment, bank_reference=bank_reference,
                                 value_date=value_date)


def approved_recovery(grant, *, actor, amount, reason="overpayment", note="Overpaid."):
    """A recovery order raised by ``actor`` and approved by another finance approver, so
    that receipts can be recorded against it."""
    recovery = recovery_raise(actor=actor, grant=grant, reason=reason,
                              amount=Decimal(amount), note=note)
    return recovery_approve(actor=UserFactory(roles=[Role.FINANCE_APPROVER]),
                            recovery=recovery)


def last_month() -> date:
    """The first day of the month before today's (Hong Kong)."""
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)


def paid_and_accrued_last_month(officer, finance_officer, finance_approver):
    """Last month: one grant's first tranche paid (HK$400,000 on the 10th), another's
    first tranche verified, prepared and released but not paid by the month's end. The
    paid payment carries its company's owner (``owner``)."""
    moment = timezone.make_aware(datetime.combine(last_month() + timedelta(days=9),
                                                  time(10)))
    with time_machine.travel(moment, tick=False):
        paid = make_accepted_grant()
        grant_activate(actor=officer, grant=paid)
        payment, _batch = batched_payment(paid, officer, finance_officer, finance_approver)
        mark_paid(payment, bank_reference="BNK-PAID")
        owed = make_accepted_grant(amount="500000.00")
        grant_activate(actor=officer, grant=owed)
        pending, _batch = batched_payment(owed, officer, finance_officer, finance_approver)
    payment.owner = paid.owner
    return payment, pending


def pay_in_part(grant, amount, officer, finance_officer, finance_approver, *, number=1):
    """Tranche ``number`` claimed for ``amount`` only, and paid."""
    claim = claim_submit(actor=grant.owner, tranche=grant.tranches.get(number=number),
                         data=ClaimInput(amount=Decimal(amount), narrative="Done."))
    claim_verify(actor=officer, claim=claim)
    payment = payment_approve(actor=finance_approver,
                              payment=payment_prepare(actor=finance_officer, claim=claim))
    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    payment_batch_release(actor=releaser(), batch=batch,
                          execution_date=timezone.localdate())
    payment.refresh_from_db()
    return mark_paid(payment, bank_reference=f"BNK-{grant.pk}-{number}")


def make_offered_grant(*, conditions="", **kwargs):
    """As ``make_accepted_grant``, but the offer is still open (for 30 days) and carries the
    panel's ``conditions``."""
    grant = make_accepted_grant(**kwargs)
    with status_gate_open():
        Application.objects.filter(pk=grant.application_id).update(status="offered")
    Grant.objects.filter(pk=grant.pk).update(
        status="offered", conditions=conditions,
        offer_expires_at=timezone.now() + timezone.timedelta(days=30))
    owner, verifier = grant.owner, grant.account_verifier
    grant = Grant.objects.select_related("application__organisation").get(pk=grant.pk)
    grant.owner, grant.account_verifier = owner, verifier
    return grant
