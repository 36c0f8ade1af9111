"""The partner organisation's pages: its people see its companies, applications, requests
and keys, and manage its webhooks with the API's rules; everyone else is refused, and another
partner's endpoints and deliveries are not found."""

import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applicants.models import Application, PartnerLink, status_gate_open
from subsidy.api.models import ApiKey
from subsidy.api.services.keys import api_key_create
from subsidy.platform.models import AuditEvent, PartnerMember
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import FundingRoundFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def person(partner):
    user = UserFactory(roles=[Role.PARTNER], email="peter@idendron.example.hk")
    PartnerMember.objects.create(partner=partner, user=user)
    return user


@pytest.fixture
def partner_client(client, person):
    client.force_login(person)
    return client


def endpoint_of(partner, **values):
    return WebhookEndpoint.objects.create(partner=partner, url=values.pop("url", PUBLIC_URL),
                                          secret="whsec_old", **{
                                              "event_types": ["application.submitted"],
                                              **values})


def delivery_to(endpoint, **values):
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=uuid.uuid4(), event_type="application.submitted",
        payload={"id": "x"}, **{"status": WebhookDelivery.Status.FAILED, "attempts": 8,
                                "last_response_code": 500, "last_error": "HTTP 500",
                                **values})


def linked_company(partner, br_number, *, applications=0, round_=None):
    organisation = OrganisationFactory(br_number=br_number, name_en=f"Company {br_number}")
    now = timezone.now()
    PartnerLink.objects.create(partner=partner, organisation=organisation, created_via="api",
                               requested_at=now, linked_at=now)
    for number in range(applications):
        draft = Application.objects.create(round=round_, organisation=organisation,
                                           title="Project")
        with status_gate_open():
            Application.objects.filter(pk=draft.pk).update(
                reference=f"AISS-2026R1-{br_number}-{number}",
                status=Application.Status.SUBMITTED)
    return organisation


# --- Who may see the pages -----------------------------------------------------------------

PAGES = ["partner:dashboard", "partner:webhooks", "partner:webhook_new"]


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_for_a_partner_person(partner_client, name):
    assert partner_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("roles", [[Role.APPLICANT], [Role.ADMINISTRATOR],
                                   [Role.PROGRAMME_OFFICER], []])
@pytest.mark.parametrize("name", PAGES)
def test_pages_refuse_people_who_are_not_partners(client, roles, name):
    client.force_login(UserFactory(roles=roles))
    assert client.get(reverse(name)).status_code == 403


def test_a_partner_role_without_a_partner_organisation_is_told_so(client):
    client.force_login(UserFactory(roles=[Role.PARTNER]))

    response = client.get(reverse("partner:dashboard"))

    assert response.status_code == 200
    assert "not linked to a partner organisation yet" in response.content.decode()
    assert client.get(reverse("partner:webhooks")).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("partner:dashboard"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_dashboard_link_and_navigation_lead_partners_to_their_portal(partner_client):
    assert partner_client.get(reverse("core:dashboard")).url == reverse("partner:dashboard")
    page = partner_client.get(reverse("partner:dashboard")).content.decode()
    assert f'href="{reverse("partner:webhooks")}"' in page
    assert "Partner portal" in page


@pytest.mark.parametrize("name,extra", [
    ("partner:webhook_edit", []), ("partner:webhook_delete", []),
    ("partner:webhook_deliveries", []),
])
def test_another_partners_endpoint_is_not_found(partner_client, other_partner, name, extra):
    theirs = endpoint_of(other_partner)
    assert partner_client.get(reverse(name, args=[theirs.pk, *extra])).status_code == 404


def test_another_partners_endpoint_cannot_be_changed(partner_client, other_partner):
    theirs = endpoint_of(other_partner)
    delivery = delivery_to(theirs)

    responses = [
        partner_client.post(reverse("partner:webhook_edit", args=[theirs.pk]),
                            {"url": "https://93.184.216.35/x",
                             "event_types": ["application.submitted"]}),
        partner_client.post(reverse("partner:webhook_rotate_secret", args=[theirs.pk])),
        partner_client.post(reverse("partner:webhook_delete", args=[theirs.pk])),
        partner_client.post(reverse("partner:webhook_redeliver",
                                    args=[theirs.pk, delivery.pk])),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    theirs.refresh_from_db()
    assert theirs.url == PUBLIC_URL and theirs.secret == "whsec_old"
    assert WebhookDelivery.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_another_partners_delivery_is_not_found_under_an_own_endpoint(partner_client, partner,
                                                                       other_partner):
    mine = endpoint_of(partner)
    theirs = delivery_to(endpoint_of(other_partner))

    response = partner_client.post(reverse("partner:webhook_redeliver",
                                           args=[mine.pk, theirs.pk]))

    assert response.status_code == 404
    assert WebhookDelivery.objects.count() == 1


# --- Dashboard -----------------------------------------------------------------------------

def test_dashboard_shows_companies_applications_and_keys(partner_client, partner,
                                                                  other_partner):
    round_ = FundingRoundFactory(code="2026R1")
    linked_company(partner, "31415926", applications=1, round_=round_)
    linked_company(other_partner, "27182818", applications=1, round_=round_)
    PartnerLink.objects.create(partner=partner, created_via="consent",
                               organisation=OrganisationFactory(br_number="16180339",
                                                                name_en="Waiting Limited"))
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    issued = api_key_create(actor=admin, name="Portal", scopes=["applications:read"],
                            partner=partner)

    response = partner_client.get(reverse("partner:dashboard"))

    page = response.content.decode()
    assert "Company 31415926" in page and "AISS-2026R1-31415926-0" in page
    assert "Company 27182818" not in page and "AISS-2026R1-27182818-0" not in page
    # A request no owner has agreed to reveals nothing: not even that the company exists.
    assert "Waiting Limited" not in page and "16180339" not in page
    assert issued.api_key.prefix in page and "applications:read" in page
    assert issued.plaintext not in page
    assert ApiKey.objects.get().hashed_key not in page


def _dashboard_in_queries(client, queries):
    with queries(10):
        assert client.get(reverse("partner:dashboard")).status_code == 200


def test_dashboard_runs_the_same_number_of_queries_for_1_and_20_rows(partner_client, partner,
                                                                     django_assert_num_queries):
    round_ = FundingRoundFactory(code="2026R1")
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    linked_company(partner, "10000000", applications=1, round_=round_)
    PartnerLink.objects.create(partner=partner, created_via="consent",
                               organisation=OrganisationFactory(br_number="20000000"))
    api_key_create(actor=admin, name="Key 0", scopes=["rounds:read"], partner=partner)
    _dashboard_in_queries(partner_client, django_assert_num_queries)

    for number in range(1, 20):
        linked_company(partner, f"1{number:07d}", applications=1, round_=round_)
        PartnerLink.objects.create(partner=partner, created_via="consent",
                                   organisation=OrganisationFactory(br_number=f"2{number:07d}"))
        api_key_create(actor=admin, name=f"Key {number}", scopes=["rounds:read"],
                       partner=partner)

    _dashboard_in_queries(partner_client, django_assert_num_queries)


# --- Webhook settings ----------------------------------------------------------------------

def test_creating_an_endpoint_shows_its_secret_once_and_is_audited(partner_client, partner,
                                                                  person):
    response = partner_client.post(reverse("partner:webhook_new"), {
        "url": PUBLIC_URL, "event_types": ["application.submitted", "organisation.linked"],
        "active": "on"})

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 200
    assert endpoint.partner == partner
    assert endpoint.event_types == ["application.submitted", "organisation.linked"]
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    listing = partner_client.get(reverse("partner:webhooks")).content.decode()
    assert PUBLIC_URL in listing and endpoint.secret not in listing
    event = AuditEvent.objects.get(action="webhook_endpoint.create")
    assert event.actor == person and event.object_id == str(endpoint.pk)
    assert endpoint.secret not in str(event.after)


def test_a_private_address_is_refused_on_the_form_with_the_input_kept(partner_client):
    response = partner_client.post(reverse("partner:webhook_new"), {
        "url": "https://127.0.0.1/hooks", "event_types": ["application.submitted"],
        "active": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors["url"] == [
        "Webhook URLs must not point to private, loopback, link-local or reserved addresses."]
    page = response.content.decode()
    assert 'value="https://127.0.0.1/hooks"' in page
    assert re.search(r'<input[^>]*value="application.submitted"[^>]*checked', page)
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_form_shows_the_services_messages(partner_client, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = False
    response = partner_client.post(reverse("partner:webhook_new"),
                                   {"url": "http://93.184.216.34/hooks", "active": "on"})

    errors = response.context["form"].errors
    assert errors["url"] == ["Webhook URLs must use https."]
    assert not WebhookEndpoint.objects.exists()

    response = partner_client.post(reverse("partner:webhook_new"),
                                   {"url": PUBLIC_URL, "active": "on"})
    assert response.context["form"].errors["event_types"] == ["Choose at least one event type."]


def test_editing_an_endpoint_is_audited(partner_client, partner, person):
    endpoint = endpoint_of(partner)

    response = partner_client.post(reverse("partner:webhook_edit", args=[endpoint.pk]), {
        "url": "https://93.184.216.35/new", "event_types": ["application.decided"]})

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.216.35/new"
    assert endpoint.event_types == ["application.decided"] and endpoint.active is False
    event = AuditEvent.objects.get(action="webhook_endpoint.change")
    assert event.actor == person
    assert event.before == {"url": PUBLIC_URL, "event_types": ["application.submitted"],
                            "active": True}


def test_editing_to_a_private_address_keeps_the_endpoint(partner_client, partner):
    endpoint = endpoint_of(partner)

    response = partner_client.post(reverse("partner:webhook_edit", args=[endpoint.pk]), {
        "url": "https://10.0.0.8/hooks", "event_types": ["application.submitted"],
        "active": "on"})

    assert response.status_code == 200
    assert "private, loopback" in response.content.decode()
    assert 'value="https://10.0.0.8/hooks"' in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC_URL


def test_rotating_the_secret_shows_the_new_one_once_and_is_audited(partner_client, partner,
                                                                  person):
    endpoint = endpoint_of(partner)

    response = partner_client.post(reverse("partner:webhook_rotate_secret", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert endpoint.secret != "whsec_old"
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert endpoint.secret not in partner_client.get(
        reverse("partner:webhook_edit", args=[endpoint.pk])).content.decode()
    event = AuditEvent.objects.get(action="webhook_endpoint.rotate_secret")
    assert event.actor == person and endpoint.secret not in str(event.after)


def test_rotating_needs_a_post(partner_client, partner):
    endpoint = endpoint_of(partner)
    response = partner_client.get(reverse("partner:webhook_rotate_secret", args=[endpoint.pk]))
    assert response.status_code == 405


def test_deleting_asks_for_confirmation_then_deletes_and_audits(partner_client, partner,
                                                               person):
    endpoint = endpoint_of(partner)
    delivery_to(endpoint)

    confirm = partner_client.get(reverse("partner:webhook_delete", args=[endpoint.pk]))
    assert confirm.status_code == 200 and WebhookEndpoint.objects.exists()
    assert "cannot be undone" in confirm.content.decode()

    response = partner_client.post(reverse("partner:webhook_delete", args=[endpoint.pk]))

    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists() and not WebhookDelivery.objects.exists()
    event = AuditEvent.objects.get(action="webhook_endpoint.delete")
    assert event.actor == person and event.before["url"] == PUBLIC_URL


# --- Delivery log --------------------------------------------------------------------------

def test_delivery_log_shows_each_attempts_outcome(partner_client, partner):
    endpoint = endpoint_of(partner)
    delivery_to(endpoint, last_error="ConnectionRefusedError: refused")

    page = partner_client.get(reverse("partner:webhook_deliveries",
                                      args=[endpoint.pk])).content.decode()

    assert "Application submitted" in page and "Failed" in page
    assert "ConnectionRefusedError: refused" in page and ">500<" in page


def _log_in_queries(client, endpoint, queries):
    with queries(9):
        assert client.get(reverse("partner:webhook_deliveries",
                                  args=[endpoint.pk])).status_code == 200


def test_delivery_log_runs_the_same_number_of_queries_for_1_and_20_rows(
        partner_client, partner, django_assert_num_queries):
    endpoint = endpoint_of(partner)
    delivery_to(endpoint)
    _log_in_queries(partner_client, endpoint, django_assert_num_queries)
    for _number in range(19):
        delivery_to(endpoint)

    _log_in_queries(partner_client, endpoint, django_assert_num_queries)


def test_delivery_log_is_paginated(partner_client, partner):
    endpoint = endpoint_of(partner)
    for _number in range(51):
        delivery_to(endpoint)

    first = partner_client.get(reverse("partner:webhook_deliveries", args=[endpoint.pk]))
    second = partner_client.get(reverse("partner:webhook_deliveries", args=[endpoint.pk]),
                                {"page": 2})

    assert len(first.context["page"]) == 50 and len(second.context["page"]) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_redeliver_queues_the_same_event_again_and_is_audited(
        partner_client, partner, person, django_capture_on_commit_callbacks, monkeypatch):
    from subsidy.webhooks.services import delivery as webhooks

    queued = []
    monkeypatch.setattr(webhooks, "_enqueue", queued.append)
    endpoint = endpoint_of(partner)
    delivery = delivery_to(endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        response = partner_client.post(reverse("partner:webhook_redeliver",
                                               args=[endpoint.pk, delivery.pk]))

    assert response.status_code == 302
    redelivery = WebhookDelivery.objects.get(redelivery_of=delivery)
    assert redelivery.event_id == delivery.event_id and redelivery.payload == delivery.payload
    assert queued == [redelivery.pk]
    event = AuditEvent.objects.get(action="webhook_delivery.redeliver")
    assert event.actor == person and event.object_id == str(redelivery.pk)


def test_redeliver_to_a_disabled_endpoint_gives_the_services_message(partner_client, partner):
    endpoint = endpoint_of(partner, active=False)
    delivery = delivery_to(endpoint)

    response = partner_client.post(reverse("partner:webhook_redeliver",
                                           args=[endpoint.pk, delivery.pk]), follow=True)

    assert "This webhook endpoint is disabled; enable it first." in response.content.decode()
    assert WebhookDelivery.objects.count() == 1
    assert not AuditEvent.objects.exists()


# --- Chinese -------------------------------------------------------------------------------

@pytest.mark.parametrize("name,heading", [
    ("partner:dashboard", "已連結的公司"), ("partner:webhooks", "<h1>網絡鈎子設定</h1>"),
    ("partner:webhook_new", "<h1>新增網絡鈎子端點</h1>"),
])
def test_pages_render_in_traditional_chinese(partner_client, name, heading):
    partner_client.cookies["django_language"] = "zh-hant"

    page = partner_client.get(reverse(name)).content.decode()

    assert heading in page
    assert "合作夥伴平台" in page
