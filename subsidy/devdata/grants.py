"""Demo data for the money side: one company whose application went through assessment,
approval and an offer accepted by signing its agreement, with its bank account on file,
verified by the finance approver and entered a week ago (past its cooling-off period). From
there the demo officer starts the grant, the applicant claims the first tranche, the officer
verifies it, the finance officer prepares the payment, the finance approver approves it, the
finance officer batches it, the treasury approver releases the batch to the bank, and the
finance officer marks it paid (or imports the bank's statement).

A second company has an offer waiting to be signed, with two conditions precedent: its
owner (the Chinese-speaking demo applicant) reads the bilingual agreement and signs it, sends
evidence for each condition, and the officer finds them met before the first tranche.

Made through the services and the workflow, as users would. Idempotent: a company that
already has an application in the round is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applicants.models import Application, Membership, Organisation
from applicants.workflow import application_transition
from reviews.services.panel import panel_declaration_record
from subsidy.agreements.services.signing import Signature, offer_document_current, offer_sign
from subsidy.devdata.applications import demo_application_submit
from subsidy.devdata.companies import company_numbers_fill
from subsidy.finance.models import BankAccount
from subsidy.finance.services.bank import bank_account_save, bank_account_verify
from subsidy.scheme.models import FundingRound, Grant, Sector

COMPANY = {"br_number": "64567890", "cr_number": "3456789", "district": "ST",
           "name_en": "Sha Tin Predictive Analytics Limited",
           "name_zh": "沙田預測分析有限公司", "sector": Sector.PREDICTIVE_ANALYTICS,
           "incorporation_date": "2021-06-01", "size": Organisation.Size.SMALL,
           "is_cyberport_incubatee": True}
PROJECT = {
    "title": "Flood-risk forecasting for Hong Kong drainage operators",
    "summary": "Predictive models that combine rainfall radar and drain-level sensors to warn "
               "operators of flooding an hour ahead.",
    "category": "predictive_analytics", "total_eligible_cost": "1500000.00",
    "requested_subsidy": "1000000.00"}
APPROVED = Decimal("1000000.00")
OFFER_COMPANY = {"br_number": "65678901", "cr_number": "3567890", "district": "TW",
                 "name_en": "Tsuen Wan Vision Labs Limited",
                 "name_zh": "荃灣視覺實驗室有限公司", "sector": Sector.COMPUTER_VISION,
                 "incorporation_date": "2022-09-15", "size": Organisation.Size.MICRO,
                 "is_cyberport_incubatee": False}
OFFER_PROJECT = {
    "title": "Defect detection for Hong Kong's precast concrete yards",
    "summary": "Computer-vision models that find cracks and honeycombing in precast "
               "concrete units before they leave the yard.",
    "category": "computer_vision", "total_eligible_cost": "1200000.00",
    "requested_subsidy": "800000.00"}
OFFER_CONDITIONS = ("1. Sign a data-sharing agreement with at least one precast yard.\n"
                    "2. 提交公司最近一年的經審計財務報表。")


def _demo_company(company: dict, *, owner, round_) -> Organisation | None:
    """The demo company of ``company`` with ``owner`` as its owner, or None when it has an
    application in the round already (the demo is seeded once)."""
    fields = {name: value for name, value in company.items() if name != "br_number"}
    organisation, _created = Organisation.objects.get_or_create(
        br_number=company["br_number"], defaults=fields)
    company_numbers_fill(organisation, cr_number=company["cr_number"],
                         district=company["district"])
    Membership.objects.get_or_create(organisation=organisation, user=owner,
                                     defaults={"role": Membership.Role.OWNER})
    if Application.objects.filter(organisation=organisation, round=round_).exists():
        return None
    return organisation


def demo_accepted_grant_seed(*, round_: FundingRound, owner, officer, panel,
                             verifier) -> Application | None:
    """An application of the demo company taken to an accepted offer, or None if it exists."""
    organisation = _demo_company(COMPANY, owner=owner, round_=round_)
    if organisation is None:
        return None
    account = bank_account_save(actor=owner, organisation=organisation,
                                bank_name="The Hongkong and Shanghai Banking Corporation",
                                account_name=COMPANY["name_en"],
                                account_number="004-567-890123-838")
    # The demo company entered its account a week ago: its cooling-off period is over.
    week_ago = timezone.now() - timedelta(days=7)
    BankAccount.objects.filter(pk=account.pk).update(updated_at=week_ago, usable_from=week_ago)
    bank_account_verify(actor=verifier, account=account)
    application = demo_application_submit(
        owner=owner, organisation=organisation, round_=round_, project=PROJECT,
        gpu_hours=30000, personnel=(3, 315000), equipment=None)
    _demo_offer(application, officer=officer, panel=panel, amount=APPROVED)
    grant = Grant.objects.get(application=application)
    grant.application = application
    offer_sign(actor=owner, grant=grant, signature=Signature(
        name=owner.full_name, title="Director",
        sha256=offer_document_current(grant=grant).sha256, ip_address="127.0.0.1"))
    return application


def _demo_offer(application, *, officer, panel, amount, conditions="") -> None:
    for actor, step, payload in [
        (officer, "start_screening", {}), (officer, "pass_to_review", {}),
        (None, "complete_review", {}),
        (panel, "approve", {"amount": str(amount), "conditions": conditions}),
        (officer, "make_offer", {}),
    ]:
        if step == "approve":
            # A panel member declares their interests before deciding.
            panel_declaration_record(actor=panel, application=application, has_conflict=False)
        application_transition(actor=actor, application=application, transition_name=step,
                               **payload)


def demo_offer_to_sign_seed(*, round_: FundingRound, owner, officer,
                            panel) -> Application | None:
    """An application of a second demo company with an open offer and two conditions
    precedent, for its owner to sign; None if it exists already."""
    organisation = _demo_company(OFFER_COMPANY, owner=owner, round_=round_)
    if organisation is None:
        return None
    application = demo_application_submit(
        owner=owner, organisation=organisation, round_=round_, project=OFFER_PROJECT,
        gpu_hours=30000, personnel=(2, 322500), equipment=None)
    _demo_offer(application, officer=officer, panel=panel,
                amount=Decimal(OFFER_PROJECT["requested_subsidy"]),
                conditions=OFFER_CONDITIONS)
    return application
