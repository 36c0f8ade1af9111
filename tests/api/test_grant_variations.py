"""A partner reads the variations of its company's grant, and hears of each by webhook;
another partner's grant is 404."""

from datetime import date

import pytest
from django.urls import reverse

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.variations.services.decisions import variation_approve
from subsidy.variations.services.proposal import VariationInput
from subsidy.variations.services.requests import variation_request
from subsidy.webhooks.models import WebhookDelivery
from tests.builders.finance import make_accepted_grant
from tests.builders.partners import link
from tests.factories import UserFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied_grant():
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)
    grant.officer = officer
    return grant


def _ask(grant):
    return variation_request(actor=grant.owner, grant=grant, data=VariationInput(
        reason="The clinics start later.", new_end_date=date(2028, 3, 31)))


def test_a_partner_reads_its_companys_variations(partner, partner_client, varied_grant):
    link(partner, varied_grant.application.organisation)
    variation = _ask(varied_grant)
    variation_approve(actor=varied_grant.officer, variation=variation, reason="Evidenced.")
    reference = varied_grant.application.reference

    listed = partner_client.get(reverse("api:application-variations", args=[reference]))
    one = partner_client.get(reverse("api:application-variation", args=[reference, 1]))

    assert listed.status_code == 200
    assert [v["status"] for v in listed.json()] == ["approved"]
    assert one.json()["new_end_date"] == "2028-03-31"
    assert one.json()["decider"] == "officer"
    assert one.json()["decision_reason"] == "Evidenced."


def test_another_partners_grant_is_not_found(partner_client, varied_grant):
    _ask(varied_grant)
    url = reverse("api:application-variations", args=[varied_grant.application.reference])

    assert partner_client.get(url).status_code == 404


def test_a_linked_partner_hears_of_the_request_and_the_decision(partner, varied_grant):
    link(partner, varied_grant.application.organisation)
    WebhookEndpointFactory(partner=partner, event_types=[
        "variation.requested", "variation.approved", "variation.rejected"])

    variation = _ask(varied_grant)
    variation_approve(actor=varied_grant.officer, variation=variation, reason="Fine.")

    sent = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert sent == ["variation.requested", "variation.approved"]
    payload = WebhookDelivery.objects.order_by("pk").last().payload
    assert payload["data"]["variation"]["status"] == "approved"
    assert payload["data"]["variation"]["agreement_version"] == 1
