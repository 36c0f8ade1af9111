"""A partner's person, in a real browser: from the dashboard to a registered webhook
endpoint whose secret is shown once, a refused private address, and a redelivery."""

import uuid

import pytest

from subsidy.platform.models import PartnerMember
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()


def test_partner_registers_an_endpoint_and_redelivers_from_the_log(page, live_server, partner,
                                                                   monkeypatch):
    # Deliveries are queued, never sent from this test.
    monkeypatch.setattr("subsidy.webhooks.services.delivery._enqueue", lambda pk: None)
    person = UserFactory(roles=[Role.PARTNER], email="peter@idendron.example.hk")
    PartnerMember.objects.create(partner=partner, user=person)
    _sign_in(page, live_server, person.email)

    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text() == "HKU iDendron"
    page.get_by_role("link", name="Webhook settings").first.click()
    page.get_by_role("link", name="Add an endpoint").click()
    page.get_by_label("URL", exact=True).fill("https://127.0.0.1/hooks")
    page.get_by_label("Application submitted", exact=True).check()
    page.get_by_role("button", name="Register endpoint").click()

    assert "must not point to private" in page.locator(".errorlist").inner_text()
    assert page.get_by_label("URL", exact=True).input_value() == "https://127.0.0.1/hooks"
    assert page.get_by_label("Application submitted", exact=True).is_checked()

    page.get_by_label("URL", exact=True).fill("https://93.184.216.34/hooks")
    page.get_by_role("button", name="Register endpoint").click()

    endpoint = WebhookEndpoint.objects.get()
    assert page.locator("code.secret").inner_text() == endpoint.secret

    WebhookDelivery.objects.create(endpoint=endpoint, event_id=uuid.uuid4(),
                                   event_type="application.submitted", payload={},
                                   status=WebhookDelivery.Status.FAILED, attempts=8,
                                   last_response_code=503, last_error="HTTP 503")
    page.goto(f"{live_server.url}/partner/webhooks/")
    page.get_by_role("link", name="Delivery log").first.click()
    page.get_by_role("button", name="Redeliver").first.click()

    assert "will be sent again" in page.locator(".messages").inner_text()
    assert WebhookDelivery.objects.filter(redelivery_of__isnull=False).count() == 1
