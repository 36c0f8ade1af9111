"""Demo data for progress reports: a third company whose grant started three months ago.
Its first milestone's report was sent late and returned by the officer with comments; the
second falls due in a week (its reminder goes out with the next run of the job).

Made through the services and the workflow, as users would; only the project's dates are
set back, as if the project had started earlier. Idempotent: a company that already has
an application in the round is left as it is.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applicants.models import Application, Milestone, Organisation
from subsidy.agreements.services.signing import Signature, offer_document_current, offer_sign
from subsidy.devdata.applications import demo_application_submit
from subsidy.devdata.grants import _demo_company, _demo_offer
from subsidy.finance.services.tranches import grant_activate
from subsidy.progress.models import OutcomeIndicator, ReportingRequirement
from subsidy.progress.services.reports import ReportInput, report_return, report_submit
from subsidy.scheme.models import FundingRound, Grant, Sector

COMPANY = {"br_number": "67890123", "cr_number": "3789012", "district": "TP",
           "name_en": "Tai Po Clinical Speech Limited",
           "name_zh": "大埔臨床語音有限公司", "sector": Sector.NLP,
           "incorporation_date": "2020-04-20", "size": Organisation.Size.SMALL,
           "is_cyberport_incubatee": True}
PROJECT = {
    "title": "Cantonese speech notes for public clinics",
    "summary": "Speech recognition that turns Cantonese consultations into structured "
               "clinical notes, trained at the AI Supercomputing Centre.",
    "category": "nlp", "total_eligible_cost": "1800000.00", "requested_subsidy": "1200000.00"}
# Days from today of each milestone's due date: past, in a week, and later.
MILESTONE_DAYS = (-10, 7, 200)


def demo_reporting_seed(*, round_: FundingRound, owner, officer, panel) -> Grant | None:
    organisation = _demo_company(COMPANY, owner=owner, round_=round_)
    if organisation is None:
        return None
    # The owner's memberships as they are now (their roles are cached on the object).
    owner = type(owner).objects.get(pk=owner.pk)
    application = demo_application_submit(
        owner=owner, organisation=organisation, round_=round_, project=PROJECT,
        gpu_hours=40000, personnel=(3, 330000), equipment=None)
    _demo_offer(application, officer=officer, panel=panel,
                amount=Decimal(PROJECT["requested_subsidy"]))
    grant = Grant.objects.get(application=application)
    grant.application = application
    offer_sign(actor=owner, grant=grant, signature=Signature(
        name=owner.full_name, title="Director",
        sha256=offer_document_current(grant=grant).sha256, ip_address="127.0.0.1"))
    # The project started three months ago: its dates, as the company gave them then.
    today = timezone.localdate()
    Application.objects.filter(pk=application.pk).update(
        start_date=today - timedelta(days=90), end_date=today + timedelta(days=200))
    for milestone, days in zip(Milestone.objects.filter(application=application),
                               MILESTONE_DAYS, strict=True):
        Milestone.objects.filter(pk=milestone.pk).update(due_date=today + timedelta(days=days))
    grant_activate(actor=officer, grant=grant)
    first = ReportingRequirement.objects.get(grant=grant, number=1)
    values = {indicator.pk: Decimal(value) for indicator, value in zip(
        OutcomeIndicator.objects.filter(round=round_),
        ("2", "3", "0", "1", "0", "5200"), strict=False)}
    report = report_submit(actor=owner, requirement=first, data=ReportInput(
        narrative="We collected and labelled 1,200 hours of consented consultations at two "
                  "clinics; the first model was trained on 5,200 GPU-hours.",
        values=values))
    report_return(actor=officer, report=report,
                  comment="Give the word error rate on the held-out clinic, and the "
                          "revenue line even if it is zero so far.")
    return grant
