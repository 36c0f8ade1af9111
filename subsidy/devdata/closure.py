"""Demo data for closing a grant: a third company whose project ran its course, every
tranche claimed, verified, paid and settled through the finance services, so that the
officer finds its closure checklist done (*Portfolio*, then the grant's *Closure checklist*)
and closes it as completed, or terminates it with a reason.

Made through the services and the workflow, as users would. Idempotent: a company that
already has an application in the round is left as it is."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applicants.models import Application, Organisation
from subsidy.agreements.services.signing import Signature, offer_document_current, offer_sign
from subsidy.devdata.applications import demo_application_submit
from subsidy.devdata.grants import _demo_company, _demo_offer
from subsidy.finance.models import BankAccount
from subsidy.finance.services.bank import bank_account_save, bank_account_verify
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_mark_paid,
    payment_prepare,
)
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.models import User
from subsidy.progress.models import OutcomeIndicator, ReportingRequirement
from subsidy.progress.services.reports import ReportInput, report_accept, report_submit
from subsidy.scheme.models import FundingRound, Grant, Sector

CLOSING_COMPANY = {"br_number": "66789012", "cr_number": "3678901", "district": "KC",
                   "name_en": "Kwai Chung Logistics AI Limited",
                   "name_zh": "葵涌物流人工智能有限公司", "sector": Sector.ROBOTICS,
                   "incorporation_date": "2020-04-20", "size": Organisation.Size.SMALL,
                   "is_cyberport_incubatee": True}
CLOSING_PROJECT = {
    "title": "Container-yard robots that plan their own routes",
    "summary": "Reinforcement-learning route planning for autonomous yard tractors at the "
               "Kwai Chung container terminals.",
    "category": "robotics", "total_eligible_cost": "900000.00",
    "requested_subsidy": "600000.00"}


def demo_grant_to_close_seed(*, round_: FundingRound, owner, officer, panel, finance,
                             approver, treasury) -> Application | None:
    """An active grant with every tranche paid, ready to close; None if it exists."""
    organisation = _demo_company(CLOSING_COMPANY, owner=owner, round_=round_)
    if organisation is None:
        return None
    # A fresh copy of the owner: the one passed in remembers its companies before this one.
    owner = User.objects.get(pk=owner.pk)
    account = bank_account_save(actor=owner, organisation=organisation,
                                bank_name="Bank of China (Hong Kong)",
                                account_name=CLOSING_COMPANY["name_en"],
                                account_number="012-345-678901-234")
    week_ago = timezone.now() - timedelta(days=7)
    BankAccount.objects.filter(pk=account.pk).update(updated_at=week_ago, usable_from=week_ago)
    bank_account_verify(actor=approver, account=account)
    application = demo_application_submit(
        owner=owner, organisation=organisation, round_=round_, project=CLOSING_PROJECT,
        gpu_hours=20000, personnel=(2, 265000), equipment=None)
    _demo_offer(application, officer=officer, panel=panel,
                amount=Decimal(CLOSING_PROJECT["requested_subsidy"]))
    grant = Grant.objects.get(application=application)
    grant.application = application
    offer_sign(actor=owner, grant=grant, signature=Signature(
        name=owner.full_name, title="Director",
        sha256=offer_document_current(grant=grant).sha256, ip_address="127.0.0.1"))
    grant_activate(actor=officer, grant=grant)
    for tranche in grant.tranches.order_by("number"):
        claim = claim_submit(actor=owner, tranche=tranche, data=ClaimInput(
            amount=tranche.amount, narrative=f"{tranche.description}: delivered."))
        claim_verify(actor=officer, claim=claim)
        payment = payment_approve(actor=approver,
                                  payment=payment_prepare(actor=finance, claim=claim))
        batch = payment_batch_create(actor=finance, payment_ids=[payment.pk])
        payment_batch_release(actor=treasury, batch=batch,
                              execution_date=timezone.localdate())
        payment.refresh_from_db()
        payment_mark_paid(actor=treasury, payment=payment,
                          bank_reference=f"DEMO-KC-{tranche.number}",
                          value_date=timezone.localdate())
    # The final report the grant owes is sent and accepted: the checklist is complete.
    final = ReportingRequirement.objects.get(grant=grant, kind=ReportingRequirement.Kind.FINAL)
    values = {indicator.pk: Decimal("1")
              for indicator in OutcomeIndicator.objects.filter(round=round_)}
    report_accept(actor=officer, report=report_submit(
        actor=owner, requirement=final, data=ReportInput(
            narrative="The routing models run at both depots; the project is complete.",
            values=values)))
    return application
