"""One grant's whole life, from the offer letter to closure, through the pages, in English
and in Chinese: the owner reads the offer letter and signs it, meets the condition precedent
and the officer checks it, the officer starts the project and sets its compute allocation, a
variation of its end date is asked for and approved on its pages, each tranche is claimed
and verified on its pages and paid on finance's (prepared, approved by another person,
batched, released to the bank by a third, marked paid by one who did not prepare it), the
AISC's usage statement is uploaded on the staff's page and draws on the allocation, the
final report is accepted, and the officer closes the grant from its checklist; the company
then sees it closed, with what was paid and drawn."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from applicants.models import Application
from subsidy.agreements.models import ConditionPrecedent
from subsidy.closure.models import GrantClosure
from subsidy.compute.models import ComputeAllocation
from subsidy.finance.models import Claim, Disbursement, Tranche
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from subsidy.progress.models import OutcomeIndicator, ProgressReport, ReportingRequirement
from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation
from tests.builders.agreements import sign_from_page
from tests.builders.compute import csv_of, line
from tests.builders.finance import make_offered_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _client(user, language) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def _translated(language, label) -> str:
    with translation.override(language):
        return str(label)


def _says(response, language, english: str, **values) -> None:
    """The page reads ``english`` (with ``values`` put in) in the page's language
    (translated in Chinese)."""
    with translation.override(language):
        expected = gettext(english)
    if language != "en":
        assert expected != english, f"{english!r} has no Chinese translation"
    expected = expected % values if values else expected
    assert expected in response.content.decode(), expected


def _claim(company, office, grant, number, language) -> Claim:
    """The company claims tranche ``number`` on its page; the officer verifies the claim."""
    claim_page = company.get(reverse("finance:tranche_claim", args=[grant.pk, number]))
    _says(claim_page, language, "Progress report")
    tranche = grant.tranches.get(number=number)
    company.post(reverse("finance:tranche_claim", args=[grant.pk, number]),
                 {"amount": str(tranche.amount), "narrative": f"Milestone {number} is met."})
    claim = Claim.objects.get(tranche=tranche)
    office.post(reverse("finance:claim_verify", args=[claim.pk]))
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.VERIFIED
    return claim


def _pay(claim, finance, language) -> Disbursement:
    """Finance's steps on their pages: a finance officer prepares the payment, a finance
    approver who did not prepare it approves it (maker-checker), the officer puts it in a
    batch, a third person releases the batch to the bank, and a finance officer who did
    not prepare the payment records the bank's payment."""
    today = timezone.localdate().isoformat()
    queue = finance["officer"].get(reverse("finance:payments"))
    assert reverse("finance:prepare", args=[claim.pk]) in queue.content.decode()
    prepared = finance["officer"].post(reverse("finance:prepare", args=[claim.pk]),
                                       follow=True)
    _says(prepared, language, "Payment prepared; a finance approver must approve it.")
    payment = Disbursement.objects.get(claim=claim)
    assert payment.status == Disbursement.Status.PREPARED
    # The one who prepared it cannot approve it.
    finance["officer"].post(reverse("finance:approve", args=[payment.pk]))
    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.PREPARED
    approved = finance["approver"].post(reverse("finance:approve", args=[payment.pk]),
                                        follow=True)
    _says(approved, language, "Payment approved.")
    batched = finance["officer"].post(reverse("finance:batch_new"), {"payment": [payment.pk]},
                                      follow=True)
    payment.refresh_from_db()
    _says(batched, language, "Batch %(ref)s created.", ref=payment.batch.reference)
    released = finance["releaser"].post(
        reverse("finance:batch_release", args=[payment.batch_id]),
        {"execution_date": today}, follow=True)
    _says(released, language, "Batch released to the bank; its file is fixed.")
    paid = finance["settler"].post(reverse("finance:paid", args=[payment.pk]),
                                   {"bank_reference": f"LIFE-{claim.pk}", "value_date": today},
                                   follow=True)
    _says(paid, language, "Payment marked paid.")
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.PAID
    return payment


def _upload_statement(office, grant, language, *, hours):
    """The AISC's monthly usage statement for the grant, uploaded on the staff's page."""
    content = csv_of(line(grant, hours, period=f"{timezone.localdate():%Y-%m}"))
    posted = office.post(reverse("compute:statements"), {
        "reference": f"AISC-LIFE-{grant.pk}",
        "file": SimpleUploadedFile("aisc-usage.csv", content, content_type="text/csv")},
        follow=True)
    _says(posted, language, "Statement %(reference)s posted.",
          reference=f"AISC-LIFE-{grant.pk}")


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_one_grants_whole_life_from_offer_letter_to_closure(language):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_offered_grant(conditions="1. Sign the data-sharing agreement with the clinics.")
    owner = grant.owner
    owner.language = language
    owner.save(update_fields=["language"])
    company = _client(owner, language)
    office = _client(officer, language)
    finance = {name: _client(UserFactory(roles=[role]), language) for name, role in [
        ("officer", Role.FINANCE_OFFICER), ("approver", Role.FINANCE_APPROVER),
        ("releaser", Role.FINANCE_APPROVER), ("settler", Role.FINANCE_OFFICER)]}

    # The offer letter: read on its page, downloaded as the PDF, and signed by the owner.
    sign_page = company.get(reverse("agreements:sign", args=[grant.pk]))
    _says(sign_page, language, "Sign the offer letter and grant agreement")
    letter = company.get(reverse("agreements:offer_document", args=[grant.pk]))
    assert letter["Content-Type"] == "application/pdf"
    assert sign_from_page(company, grant.application).status_code == 302
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.ACCEPTED

    # The condition precedent: the company sends its evidence, the officer finds it met.
    condition = ConditionPrecedent.objects.get(grant=grant)
    company.post(reverse("agreements:condition", args=[condition.pk]),
                 {"evidence_text": "Signed with the three pilot clinics."})
    office.post(reverse("agreements:condition_check", args=[condition.pk]),
                {"decision": "met", "comment": ""})
    assert ConditionPrecedent.objects.get(pk=condition.pk).status == "met"

    # The officer starts the project; its tranches are scheduled.
    office.post(reverse("finance:grant_activate", args=[grant.pk]))
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.ACTIVE

    # The officer sets the compute allocation on the grant's compute page: 1,000 GPU-hours
    # at the round's HK$18.50 and the grant's 50%.
    office.post(reverse("compute:allocation", args=[grant.pk]), {"hours": "1000"})
    allocation = ComputeAllocation.objects.get(grant=grant)
    assert allocation.amount == Decimal("9250.00")

    # The company asks to end the project later; the officer approves the variation.
    company.post(reverse("variations:request", args=[grant.pk]),
                 {"new_end_date": "2028-03-31", "reason": "The pilot clinics start later."})
    variation = Variation.objects.get(grant=grant)
    decided = office.post(reverse("variations:decide", args=[variation.pk]),
                          {"decision": "approve", "reason": "The new dates are reasonable."},
                          follow=True)
    _says(decided, language, "Approved")
    assert Variation.objects.get(pk=variation.pk).status == Variation.Status.APPROVED
    # The grant owes a report per milestone and a final one from the day it started.
    final = ReportingRequirement.objects.get(grant=grant, kind=ReportingRequirement.Kind.FINAL)

    # Each tranche is claimed and verified on the pages, then paid on finance's pages.
    for number in (1, 2, 3):
        _pay(_claim(company, office, grant, number, language), finance, language)
    grant_page = company.get(reverse("finance:grant", args=[grant.pk])).content.decode()
    for tranche in grant.tranches.all():
        assert f"HK${tranche.amount:,.2f}" in grant_page
    assert grant_page.count(f"<td>{_translated(language, Tranche.Status.PAID.label)}</td>") == 3

    # A month's use at the AISC, uploaded by staff, draws on the allocation: 100 GPU-hours,
    # HK$1,850.00 at list price, half of it subsidy.
    _upload_statement(office, grant, language, hours=100)
    burn = company.get(reverse("compute:grant", args=[grant.pk]))
    _says(burn, language, "Subsidy drawn")
    page = burn.content.decode()
    assert "HK$925.00 (10.00%)" in page and "HK$9,250.00" in page

    # The closure checklist holds completion until the final report is accepted.
    checklist = office.get(reverse("closure:grant", args=[grant.pk]))
    _says(checklist, language, "Final report accepted")
    assert 'data-item="final_report" data-state="open"' in checklist.content.decode()
    refused = office.post(reverse("closure:grant", args=[grant.pk]), {"outcome": "completed"})
    _says(refused, language, "The final report is not accepted yet.")
    # The company sends its final report on its page; the officer accepts it on the same page.
    values = {f"indicator-{indicator.pk}": "1"
              for indicator in OutcomeIndicator.objects.filter(round=grant.round)}
    company.post(reverse("progress:requirement", args=[final.pk]),
                 {"narrative": "The project is complete.", **values})
    office.post(reverse("progress:review", args=[final.pk]),
                {"decision": "accept", "comment": ""})
    assert ProgressReport.objects.get(requirement=final).status == ProgressReport.Status.ACCEPTED
    checklist = office.get(reverse("closure:grant", args=[grant.pk])).content.decode()
    assert 'data-state="open"' not in checklist

    # The officer closes the grant as completed.
    closed = office.post(reverse("closure:grant", args=[grant.pk]), {"outcome": "completed"},
                         follow=True)
    _says(closed, language, "The grant is closed. The company and its partners are told.")
    closure = GrantClosure.objects.get(grant=grant)
    assert closure.outcome == "completed"
    assert closure.paid_amount == grant.approved_amount
    allocation = ComputeAllocation.objects.get(pk=allocation.pk)
    assert closure.released_compute == allocation.released_amount > 0
    assert Application.objects.get(pk=grant.application_id).status == "completed"

    # The company sees it closed on its grant page and in its inbox, in its language.
    grant_page = company.get(reverse("finance:grant", args=[grant.pk]))
    _says(grant_page, language, "Grant closed")
    _says(grant_page, language, "Completed")
    _says(grant_page, language, "Released at closure")
    assert "HK$8,325.00" in grant_page.content.decode()  # 9,250.00 less 925.00 drawn
    note = Notification.objects.get(event="grant_closed", recipient=owner)
    with translation.override(language):
        assert note.context["outcome_label"] == gettext("Completed")

