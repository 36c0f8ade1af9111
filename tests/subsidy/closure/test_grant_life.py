"""One grant's whole life, from the offer letter to closure, through the pages, in English
and in Chinese: the owner reads the offer letter and signs it, meets the condition precedent
and the officer checks it, the officer starts the project, a variation of its end date is asked for
and approved on its pages, the first tranche is claimed and
verified on its pages (finance's payment steps and the later tranches come from the
builders), the compute allocation draws at the AISC, the final report is accepted, and the
officer closes the grant from its checklist; the company then sees it closed."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from applicants.models import Application
from subsidy.agreements.models import ConditionPrecedent
from subsidy.closure.models import GrantClosure
from subsidy.compute.models import ComputeAllocation
from subsidy.finance.models import Claim
from subsidy.finance.services.payments import (
    payment_approve,
    payment_batch_create,
    payment_batch_release,
    payment_prepare,
)
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from subsidy.progress.models import OutcomeIndicator, ProgressReport, ReportingRequirement
from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation
from tests.builders.agreements import sign_from_page
from tests.builders.finance import batched_payment, make_offered_grant, mark_paid, releaser
from tests.factories import (
    ComputeAllocationFactory,
    ComputeChargeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _client(user, language) -> Client:
    client = Client()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client


def _says(response, language, english: str) -> None:
    """The page reads ``english`` in the page's language (translated in Chinese)."""
    with translation.override(language):
        expected = gettext(english)
    if language != "en":
        assert expected != english, f"{english!r} has no Chinese translation"
    assert expected in response.content.decode(), expected


def _pay(claim, finance_officer, finance_approver):
    """Finance's steps after the officer's verification: prepared, approved, batched,
    released to the bank and paid."""
    payment = payment_approve(actor=finance_approver,
                              payment=payment_prepare(actor=finance_officer, claim=claim))
    batch = payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])
    payment_batch_release(actor=releaser(), batch=batch, execution_date=timezone.localdate())
    payment.refresh_from_db()
    mark_paid(payment, bank_reference=f"LIFE-{claim.pk}")


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_one_grants_whole_life_from_offer_letter_to_closure(language):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    finance_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    finance_approver = UserFactory(roles=[Role.FINANCE_APPROVER])
    grant = make_offered_grant(conditions="1. Sign the data-sharing agreement with the clinics.")
    owner = grant.owner
    owner.language = language
    owner.save(update_fields=["language"])
    company = _client(owner, language)
    office = _client(officer, language)

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
    allocation = ComputeAllocationFactory(grant=grant)

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

    # The first tranche is claimed and verified on the pages, then paid by finance.
    claim_page = company.get(reverse("finance:tranche_claim", args=[grant.pk, 1]))
    _says(claim_page, language, "Progress report")
    tranche = grant.tranches.get(number=1)
    company.post(reverse("finance:tranche_claim", args=[grant.pk, 1]),
                 {"amount": str(tranche.amount), "narrative": "The prototype is live."})
    claim = Claim.objects.get(tranche=tranche)
    office.post(reverse("finance:claim_verify", args=[claim.pk]))
    _pay(Claim.objects.get(pk=claim.pk), finance_officer, finance_approver)
    for number in (2, 3):
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver,
                                          number=number)
        mark_paid(payment, bank_reference=f"LIFE-T{number}")

    # A month's use at the AISC draws on the allocation.
    ComputeChargeFactory(allocation=allocation, hours=Decimal("100.00"))

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
    note = Notification.objects.get(event="grant_closed", recipient=owner)
    with translation.override(language):
        assert note.context["outcome_label"] == gettext("Completed")
