"""Demo data for the money side: one company whose application went through assessment,
approval and an accepted offer, with its bank account on file, verified by the finance
approver and entered a week ago (past its cooling-off period). From there the demo officer
starts the grant, the applicant claims the first tranche, the officer verifies it, the
finance officer prepares the payment, the finance approver approves it, the finance officer
batches it, the treasury approver releases the batch to the bank, and the finance officer
marks it paid (or imports the bank's statement).

Made through the services and the workflow, as users would. Idempotent: a company that
already has an application in the round is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applicants.models import Application, Membership, Organisation
from applicants.workflow import application_transition
from reviews.services.panel import panel_declaration_record
from subsidy.devdata.applications import demo_application_submit
from subsidy.devdata.companies import company_numbers_fill
from subsidy.finance.models import BankAccount
from subsidy.finance.services.bank import bank_account_save, bank_account_verify
from subsidy.scheme.models import FundingRound, Sector

COMPANY = {"br_number": "64567890", "cr_number": "3456789", "district": "ST",
           "name_en": "Sha Tin Predictive Analytics Limited",
           "name_zh": "沙田預測分析有限公司", "sector": Sector.PREDICTIVE_ANALYTICS}
PROJECT = {
    "title": "Flood-risk forecasting for Hong Kong drainage operators",
    "summary": "Predictive models that combine rainfall radar and drain-level sensors to warn "
               "operators of flooding an hour ahead.",
    "category": "predictive_analytics", "total_eligible_cost": "1500000.00",
    "requested_subsidy": "1000000.00"}
APPROVED = Decimal("1000000.00")


def demo_accepted_grant_seed(*, round_: FundingRound, owner, officer, panel,
                             verifier) -> Application | None:
    """An application of the demo company taken to an accepted offer, or None if it exists."""
    organisation, _created = Organisation.objects.get_or_create(
        br_number=COMPANY["br_number"],
        defaults={"name_en": COMPANY["name_en"], "name_zh": COMPANY["name_zh"],
                  "cr_number": COMPANY["cr_number"], "district": COMPANY["district"],
                  "incorporation_date": "2021-06-01", "size": Organisation.Size.SMALL,
                  "sector": COMPANY["sector"], "is_cyberport_incubatee": True})
    company_numbers_fill(organisation, cr_number=COMPANY["cr_number"],
                         district=COMPANY["district"])
    Membership.objects.get_or_create(organisation=organisation, user=owner,
                                     defaults={"role": Membership.Role.OWNER})
    if Application.objects.filter(organisation=organisation, round=round_).exists():
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
    for actor, step, payload in [
        (officer, "start_screening", {}), (officer, "pass_to_review", {}),
        (None, "complete_review", {}), (panel, "approve", {"amount": str(APPROVED)}),
        (officer, "make_offer", {}), (owner, "accept_offer", {}),
    ]:
        if step == "approve":
            # A panel member declares their interests before deciding.
            panel_declaration_record(actor=panel, application=application, has_conflict=False)
        application_transition(actor=actor, application=application, transition_name=step,
                               **payload)
    return application
