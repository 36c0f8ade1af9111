"""The page where the person a partner named as owner confirms or declines the company the
partner registered through the API: in English and Chinese, only for that person, only
while the partner's request stands; every answer is audited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from applicants.models import (
    LinkRequest,
    Membership,
    Organisation,
    OrganisationRegistration,
    PartnerLink,
)
from subsidy.api.services.keys import api_key_create
from subsidy.platform.models import AuditEvent, PartnerOrganisation
from subsidy.platform.roles import Role
from tests.builders.partners import registration_token
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

FOUNDER = "founder@kowloonvision.example.hk"
PROFILE = {"name_en": "Kowloon Vision Limited", "name_zh": "九龍視覺有限公司",
           "br_number": "27182818", "cr_number": "3141592", "district": "ST",
           "incorporation_date": "2024-02-01", "size": "1-9", "sector": "computer_vision",
           "owner_email": FOUNDER}


@pytest.fixture
def partner_api(db):
    partner = PartnerOrganisation.objects.create(name="HKU iDendron",
                                                 contact_email="api@idendron.example.hk")
    key = api_key_create(actor=UserFactory(roles=[Role.ADMINISTRATOR]), name="Portal",
                         scopes=["applications:read", "applications:write"], partner=partner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
    return client


@pytest.fixture
def page_url(partner_api):
    response = partner_api.post("/api/v1/organisations/", PROFILE, format="json")
    assert response.status_code == 202, response.content
    return reverse("applicants:registration", args=[registration_token(FOUNDER)])


@pytest.fixture
def founder(db):
    return UserFactory(email=FOUNDER)


def test_the_named_owner_sees_the_company_as_the_partner_described_it(client, founder,
                                                                      page_url):
    client.force_login(founder)

    page = client.get(page_url).content.decode()

    assert "<h1>Register Kowloon Vision Limited</h1>" in page
    assert "HKU iDendron, a partner organisation of the scheme" in page
    for shown in ("27182818", "3141592", "Sha Tin", "2024-02-01", "1–9 employees"):
        assert shown in page
    assert 'name="answer" value="confirm"' in page
    assert "Register the company and allow HKU iDendron" in page


def test_the_page_is_in_chinese_when_asked(client, founder, page_url):
    client.force_login(founder)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    page = client.get(page_url).content.decode()

    assert "登記九龍視覺有限公司" in page
    assert "登記公司並允許 HKU iDendron" in page
    assert "沙田" in page


def test_confirming_registers_the_company_with_its_owner_and_links_the_partner(
        client, founder, page_url, partner_api):
    client.force_login(founder)

    response = client.post(page_url, {"answer": "confirm"})

    organisation = Organisation.objects.get(br_number="27182818")
    assert response.status_code == 302
    assert response.url == reverse("applicants:organisation", args=[organisation.pk])
    assert organisation.memberships.get().user == founder
    assert organisation.memberships.get().role == Membership.Role.OWNER
    assert PartnerLink.objects.get(organisation=organisation).is_active
    (listed,) = partner_api.get("/api/v1/organisations/").json()["results"]
    assert (listed["id"], listed["cr_number"], listed["district"]) == (
        organisation.pk, "3141592", "ST")
    assert AuditEvent.objects.filter(action="organisation_registration.confirm",
                                     actor=founder).exists()


def test_declining_registers_nothing_and_the_partner_still_reads_pending(
        client, founder, page_url, partner_api):
    client.force_login(founder)

    response = client.post(page_url, {"answer": "decline"}, follow=True)

    assert "Nothing was registered." in response.content.decode()
    assert "This registration has already been answered." in response.content.decode()
    assert not Organisation.objects.exists()
    assert OrganisationRegistration.objects.get().declined_at is not None
    (request,) = partner_api.get("/api/v1/organisations/link-requests/").json()["results"]
    assert request["status"] == "pending"
    assert AuditEvent.objects.filter(action="organisation_registration.decline",
                                     actor=founder).exists()


def test_someone_else_cannot_answer(client, page_url):
    client.force_login(UserFactory(email="someone@example.hk"))

    response = client.post(page_url, {"answer": "confirm"})

    assert "This link was sent to another email address." in response.content.decode()
    assert 'value="confirm"' not in response.content.decode()
    assert not Organisation.objects.exists()


def test_signing_in_is_needed(client, page_url):
    response = client.get(page_url)

    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_an_unknown_link_is_not_found(client, founder):
    client.force_login(founder)

    assert client.get(reverse("applicants:registration", args=["nope"])).status_code == 404


def test_a_withdrawn_request_can_no_longer_be_confirmed(client, founder, page_url,
                                                        partner_api):
    partner_api.delete("/api/v1/organisations/link-requests/27182818/")
    client.force_login(founder)

    response = client.post(page_url, {"answer": "confirm"})

    assert "The partner organisation has withdrawn this registration." in (
        response.content.decode())
    assert not Organisation.objects.exists()


def test_an_expired_link_can_no_longer_be_confirmed(client, founder, page_url):
    OrganisationRegistration.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.force_login(founder)

    response = client.post(page_url, {"answer": "confirm"})

    assert "This link has expired" in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_company_registered_meanwhile_is_refused_with_the_web_message(client, founder,
                                                                        page_url):
    OrganisationFactory(br_number="27182818")
    client.force_login(founder)

    response = client.post(page_url, {"answer": "confirm"})

    assert ("A company with this Business Registration number is already registered."
            in response.content.decode())
    assert Organisation.objects.count() == 1
    assert not LinkRequest.objects.get().link
