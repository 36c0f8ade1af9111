"""Conditions precedent, from the pages: the company sends evidence for each, the programme
officer finds it met or returns it, and the first tranche waits until all are met."""

import pytest
from django.urls import reverse

from subsidy.agreements.models import ConditionPrecedent
from subsidy.agreements.services.conditions import condition_evidence_submit, condition_meet
from subsidy.finance.models import Claim
from subsidy.finance.services.claims import ClaimInput, claim_submit, claim_verify
from subsidy.finance.services.payments import payment_prepare
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.applicants import pdf_bytes, upload
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

C = ConditionPrecedent.Status


@pytest.fixture
def active_signed_grant(signed_grant, officer):
    grant_activate(actor=officer, grant=signed_grant)
    return signed_grant


def _condition(grant, number):
    return ConditionPrecedent.objects.get(grant=grant, number=number)


def _claim_url(grant):
    return reverse("finance:tranche_claim", args=[grant.pk, 1])


def _send_evidence(client, condition, text="Signed on 3 March.", **files):
    return client.post(reverse("agreements:condition", args=[condition.pk]),
                       {"evidence_text": text, **files})


def _check(client, condition, decision, comment=""):
    return client.post(reverse("agreements:condition_check", args=[condition.pk]),
                       {"decision": decision, "comment": comment})


def test_the_first_tranche_waits_until_every_condition_is_met(client, officer,
                                                              active_signed_grant):
    grant = active_signed_grant
    client.force_login(grant.owner)
    page = client.get(reverse("finance:grant", args=[grant.pk])).content.decode()
    assert "2 conditions are not met yet" in page
    assert _claim_url(grant) not in page
    with pytest.raises(DomainError, match="waits for the conditions precedent"):
        claim_submit(actor=grant.owner, tranche=grant.tranches.get(number=1),
                     data=ClaimInput(amount=grant.tranches.get(number=1).amount,
                                     narrative="Prototype."))

    # The company sends evidence for each; the officer finds both met.
    response = _send_evidence(client, _condition(grant, 1),
                              evidence_file=upload("agreement.pdf", pdf_bytes()))
    assert response.status_code == 302
    _send_evidence(client, _condition(grant, 2), text="Audited accounts attached.")
    assert _condition(grant, 1).status == C.SUBMITTED
    assert _condition(grant, 1).evidence_name == "agreement.pdf"
    client.force_login(officer)
    assert _check(client, _condition(grant, 1), "met").status_code == 302
    page = client.get(reverse("finance:grant", args=[grant.pk])).content.decode()
    assert "1 condition is not met yet" in page
    _check(client, _condition(grant, 2), "met")

    client.force_login(grant.owner)
    page = client.get(reverse("finance:grant", args=[grant.pk])).content.decode()
    assert _claim_url(grant) in page
    client.post(_claim_url(grant), {"amount": "400000.00", "narrative": "Prototype."})
    assert Claim.objects.filter(tranche__grant=grant, tranche__number=1).exists()
    assert AuditEvent.objects.filter(action="condition.met").count() == 2


def test_the_officer_returns_evidence_with_comments_and_the_company_sends_more(
        client, officer, signed_grant):
    condition = _condition(signed_grant, 1)
    client.force_login(signed_grant.owner)
    _send_evidence(client, condition, text="We will sign next week.")
    client.force_login(officer)
    page = client.get(reverse("agreements:condition", args=[condition.pk])).content.decode()
    assert "Check the evidence" in page
    _check(client, condition, "return")  # no comment: refused
    assert _condition(signed_grant, 1).status == C.SUBMITTED
    _check(client, condition, "return", "Send the signed agreement itself.")
    assert _condition(signed_grant, 1).status == C.RETURNED

    client.force_login(signed_grant.owner)
    page = client.get(reverse("agreements:condition", args=[condition.pk])).content.decode()
    assert "Send the signed agreement itself." in page
    _send_evidence(client, condition, text="Signed copy attached.",
                   evidence_file=upload("signed.pdf", pdf_bytes()))
    assert _condition(signed_grant, 1).status == C.SUBMITTED


def test_evidence_goes_through_the_upload_checks_and_the_error_summary(client, signed_grant):
    condition = _condition(signed_grant, 1)
    client.force_login(signed_grant.owner)
    response = _send_evidence(client, condition,
                              evidence_file=upload("notes.pdf", b"<html>not a pdf</html>"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and 'href="#id_evidence_file"' in body
    assert _condition(signed_grant, 1).status == C.OPEN


def test_only_the_company_sends_evidence_and_only_officers_check_it(client, officer,
                                                                    signed_grant):
    condition = _condition(signed_grant, 1)
    viewer = MembershipFactory(organisation=signed_grant.application.organisation,
                               role="viewer").user
    client.force_login(viewer)
    assert client.get(reverse("agreements:condition", args=[condition.pk])).status_code == 200
    assert _send_evidence(client, condition).status_code == 403
    client.force_login(MembershipFactory().user)
    assert client.get(reverse("agreements:condition", args=[condition.pk])).status_code == 404
    condition_evidence_submit(actor=signed_grant.owner, condition=condition, text="Done.")
    client.force_login(UserFactory(roles=[Role.FINANCE_OFFICER]))
    assert _check(client, condition, "met").status_code == 403
    assert _condition(signed_grant, 1).status == C.SUBMITTED


def test_a_first_payment_is_not_prepared_while_a_condition_is_open(officer,
                                                                   active_signed_grant):
    grant = active_signed_grant
    for condition in grant.conditions_precedent.all():
        condition_evidence_submit(actor=grant.owner, condition=condition, text="Done.")
        condition_meet(actor=officer, condition=condition)
    tranche = grant.tranches.get(number=1)
    claim = claim_submit(actor=grant.owner, tranche=tranche,
                         data=ClaimInput(amount=tranche.amount, narrative="Done."))
    claim_verify(actor=officer, claim=claim)
    # A condition added to the grant afterwards (say, by a variation) holds the payment.
    ConditionPrecedent.objects.create(grant=grant, number=3, text="Insurance in place.")
    with pytest.raises(DomainError, match="1 condition is not met yet"):
        payment_prepare(actor=UserFactory(roles=[Role.FINANCE_OFFICER]), claim=claim)


def test_the_condition_pages_are_in_chinese(client, signed_grant):
    client.force_login(signed_grant.owner)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    page = client.get(reverse("agreements:condition",
                              args=[_condition(signed_grant, 2).pk])).content.decode()
    assert "提交證明" in page and "提交經審計的財務報表。" in page
    page = client.get(reverse("finance:grant", args=[signed_grant.pk])).content.decode()
    assert "協議及先決條件" in page and "須提交證明" in page


def test_condition_evidence_is_checked_for_viruses_like_a_claims(client, signed_grant, clamd,
                                                                 settings):
    """A file with a virus is refused with its reason and audited; one the scanner could not
    check is refused for now; a clean one is kept."""
    from tests.builders.clamd import EICAR, closed_port_url

    condition = _condition(signed_grant, 1)
    client.force_login(signed_grant.owner)
    body = _send_evidence(client, condition,
                          evidence_file=upload("agreement.pdf", EICAR)).content.decode()
    assert "A virus was found in this file (Eicar-Test-Signature)" in body
    assert _condition(signed_grant, 1).status == "open"
    assert AuditEvent.objects.get(action="security.upload_infected").after["type"] == (
        "condition_evidence")

    settings.CLAMD_URL = closed_port_url()
    body = _send_evidence(client, condition,
                          evidence_file=upload("agreement.pdf", pdf_bytes())).content.decode()
    assert "could not be checked for viruses just now" in body
    assert _condition(signed_grant, 1).status == "open"
