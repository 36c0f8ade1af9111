"""Registering a company through the partner API tells the partner nothing about whether a
company with that number is already registered: two partners, one registering a new
company and one a registered company, see the same answer, headers, lists, filters, events
feed, webhooks and dashboard, and the owner they name (an address the partner may read)
gets the same email, until a person at the company acts."""

import json

import pytest
from django.core import mail
from django.test import Client

from applicants.models import Membership
from subsidy.platform.models import PartnerMember
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery, WebhookEventType
from subsidy.webhooks.services.delivery import webhook_endpoint_create
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english",
                                                             "local_receivers_allowed")]

NEW, REGISTERED = "27182818", "16180339"
# Differ between any two answers, whatever the request.
VOLATILE_HEADERS = {"X-Request-Id", "Date"}


def profile(br_number: str) -> dict:
    """A company to register, its owner named by an address the partner itself reads."""
    return {"name_en": "Kowloon Vision Limited", "br_number": br_number,
            "incorporation_date": "2024-02-01", "size": "1-9", "sector": "computer_vision",
            "owner_email": f"mailbox-{br_number}@partner.example.hk"}


def seen_by(partner, client, br_number: str) -> dict:
    """Everything the partner can read afterwards, with the number it sent as ``BR`` and
    its own name as ``PARTNER``."""
    def get(path, **query):
        response = client.get(path, query)
        assert response.status_code == 200, response.content
        return response.json()

    requests = get("/api/v1/organisations/link-requests/")
    for request in requests["results"]:
        request.pop("requested_at")
    person = UserFactory(roles=[Role.PARTNER])
    PartnerMember.objects.create(partner=partner, user=person)
    browser = Client()
    browser.force_login(person)
    dashboard = browser.get("/partner/")
    assert dashboard.status_code == 200
    seen = {
        "organisations": get("/api/v1/organisations/"),
        "by_number": get("/api/v1/organisations/", br_number=br_number),
        "link_requests": requests,
        "events": get("/api/v1/events/", after=0),
        "webhooks": list(WebhookDelivery.objects.filter(endpoint__partner=partner)
                         .values_list("event_type", flat=True)),
        "dashboard_names": "Kowloon Vision" in dashboard.content.decode(),
        "named_owner_mail": [(m.subject, len(m.body.splitlines())) for m in mail.outbox
                             if m.to == [profile(br_number)["owner_email"]]],
    }
    return json.loads(json.dumps(seen, ensure_ascii=False).replace(br_number, "BR")
                      .replace(partner.name, "PARTNER"))


def answer(response, br_number: str) -> dict:
    headers = {name: value for name, value in response.headers.items()
               if name not in VOLATILE_HEADERS}
    return json.loads(json.dumps({"status": response.status_code, "body": response.json(),
                                  "headers": headers}).replace(br_number, "BR"))


def test_a_new_and_a_registered_company_look_the_same_to_the_partner(
        partner, other_partner, issue_key, client_for, django_capture_on_commit_callbacks):
    existing = OrganisationFactory(br_number=REGISTERED, name_en="Lion Rock Language Limited")
    MembershipFactory(organisation=existing, role=Membership.Role.OWNER)
    clients = {}
    for who in (partner, other_partner):
        webhook_endpoint_create(partner=who, url="http://127.0.0.1:9/hook",
                                event_types=WebhookEventType.values)
        clients[who.pk] = client_for(issue_key(partner=who))

    with django_capture_on_commit_callbacks(execute=True):
        new = clients[partner.pk].post("/api/v1/organisations/", profile(NEW), format="json",
                                       HTTP_IDEMPOTENCY_KEY="org-1")
        known = clients[other_partner.pk].post("/api/v1/organisations/", profile(REGISTERED),
                                               format="json", HTTP_IDEMPOTENCY_KEY="org-1")

    assert new.status_code == 202, new.content
    assert answer(known, REGISTERED) == answer(new, NEW)
    assert (seen_by(other_partner, clients[other_partner.pk], REGISTERED)
            == seen_by(partner, clients[partner.pk], NEW))


def test_until_someone_acts_the_partner_sees_a_pending_request_and_no_company(
        partner_client, partner):
    partner_client.post("/api/v1/organisations/", profile(NEW), format="json")

    assert partner_client.get("/api/v1/organisations/").json()["results"] == []
    (request,) = partner_client.get("/api/v1/organisations/link-requests/").json()["results"]
    assert (request["br_number"], request["status"], request["organisation"]) == (
        NEW, "pending", None)
    assert not WebhookDelivery.objects.exists()
