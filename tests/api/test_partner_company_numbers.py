"""The Companies Registry number and district through the partner API: given when a partner
registers a company, listed back, checked with the web's messages, and a known CR number
treated as a known company."""

import pytest
from django.utils import translation

from applicants.models import Organisation
from tests.builders.partners import registration_confirmed
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PROFILE = {"name_en": "Harbour Speech AI Limited", "br_number": "71234567",
           "incorporation_date": "2024-03-01", "size": "1-9", "sector": "nlp",
           "owner_email": "founder@harbour.example.hk"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_partner_registers_a_company_with_its_cr_number_and_district(partner_client):
    response = partner_client.post("/api/v1/organisations/", {
        **PROFILE, "cr_number": "2524613",
        "district": "YTM"}, format="json")

    assert response.status_code == 202
    registration_confirmed("founder@harbour.example.hk")
    listed = partner_client.get("/api/v1/organisations/",
                                {"br_number": "71234567"}).json()["results"]
    assert [(o["cr_number"], o["district"]) for o in listed] == [("2524613", "YTM")]


def test_the_api_refuses_a_bad_cr_number_and_district_with_the_web_message(partner_client):
    response = partner_client.post("/api/v1/organisations/", {
        **PROFILE, "cr_number": "12"},
        format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["cr_number"] == [
        "Enter the 7- or 8-digit Companies Registry number, e.g. 1234567."]

    response = partner_client.post("/api/v1/organisations/", {
        **PROFILE, "district": "Sha Tin"},
        format="json")
    assert response.status_code == 400
    assert "district" in response.json()["errors"]


def test_a_partner_registering_a_known_cr_number_asks_that_companys_owners(partner_client):
    known = OrganisationFactory(cr_number="2524613")

    response = partner_client.post("/api/v1/organisations/", {
        **PROFILE, "cr_number": "2524613"},
        format="json")

    assert response.status_code == 202
    assert not Organisation.objects.filter(br_number="71234567").exists()
    assert known.partner_links.filter(linked_at__isnull=True).exists()
    (request,) = partner_client.get("/api/v1/organisations/link-requests/").json()["results"]
    assert (request["br_number"], request["status"]) == ("71234567", "pending")
