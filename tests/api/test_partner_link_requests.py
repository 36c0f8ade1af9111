"""A partner lists and withdraws its own link requests, and the list is no oracle: a request
for a number no company has reads exactly like one an owner has not answered, or declined."""

import pytest

from applicants.models import LinkRequest, PartnerLink
from applicants.services.partners import partner_link_approve, partner_link_revoke
from tests.api.test_errors import assert_problem
from tests.factories import LinkRequestFactory, MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIST = "/api/v1/organisations/link-requests/"


def ask(client, br_number):
    response = client.post(LIST, {"br_number": br_number}, format="json")
    assert response.status_code == 202, response.json()


def listed(client) -> dict:
    """The partner's open requests by number, without their times."""
    results = client.get(LIST).json()["results"]
    return {row.pop("br_number"): row for row in results if row.pop("requested_at")}


@pytest.fixture
def company():
    return MembershipFactory(organisation__br_number="16180339").organisation


def test_every_request_is_listed_alike_whether_or_not_a_company_has_the_number(
        partner_client, company):
    ask(partner_client, "16180339")
    ask(partner_client, "99999999")

    assert listed(partner_client) == {
        "16180339": {"status": "pending", "organisation": None},
        "99999999": {"status": "pending", "organisation": None}}
    assert LinkRequest.objects.count() == 2


def test_a_declined_request_still_reads_pending(partner_client, company):
    ask(partner_client, "16180339")
    owner = company.memberships.get().user

    partner_link_revoke(actor=owner, link=PartnerLink.objects.get())

    assert listed(partner_client) == {"16180339": {"status": "pending", "organisation": None}}


def test_an_approved_request_names_the_organisation_until_the_link_ends(partner_client,
                                                                        company):
    ask(partner_client, "16180339")
    owner = company.memberships.get().user
    link = partner_link_approve(actor=owner, link=PartnerLink.objects.get())

    assert listed(partner_client) == {"16180339": {"status": "linked",
                                                   "organisation": company.pk}}
    partner_link_revoke(actor=owner, link=link)
    assert listed(partner_client) == {"16180339": {"status": "ended", "organisation": None}}


def test_withdrawing_takes_any_request_off_the_list(partner_client, partner, company):
    ask(partner_client, "16180339")
    ask(partner_client, "99999999")

    for number in ("16180339", "99999999"):
        response = partner_client.delete(f"{LIST}{number}/")
        assert response.status_code == 204

    assert listed(partner_client) == {}
    assert PartnerLink.objects.get(partner=partner).revoked_at is not None
    assert not LinkRequest.objects.filter(cancelled_at__isnull=True).exists()


def test_a_repeated_request_is_listed_once(partner_client):
    ask(partner_client, "99999999")
    ask(partner_client, "99999999")

    assert list(listed(partner_client)) == ["99999999"]


def test_a_request_made_before_the_company_registered_reaches_its_owners_when_repeated(
        partner_client, partner):
    ask(partner_client, "16180339")
    company = MembershipFactory(organisation__br_number="16180339").organisation

    ask(partner_client, "16180339")

    pending = PartnerLink.objects.get(partner=partner, organisation=company)
    assert pending.is_pending
    assert LinkRequest.objects.get().link == pending


def test_registering_a_company_that_exists_lists_a_pending_request(partner_client, company):
    response = partner_client.post("/api/v1/organisations/", {
        "name_en": "Lion Rock Language Limited", "br_number": "16180339",
        "incorporation_date": "2024-02-01", "size": "1-9", "sector": "nlp",
        "owner_email": "founder@lionrock.example.hk"}, format="json")

    assert response.status_code == 202
    assert listed(partner_client) == {"16180339": {"status": "pending", "organisation": None}}


def test_another_partners_requests_are_not_listed(partner_client, other_partner):
    LinkRequestFactory(partner=other_partner, br_number="16180339")

    assert listed(partner_client) == {}


def test_a_number_that_is_not_eight_digits_is_refused(partner_client):
    response = partner_client.post(LIST, {"br_number": "1618033"}, format="json")

    assert set(assert_problem(response, 400)["errors"]) == {"br_number"}
    assert not LinkRequest.objects.exists()


def test_the_list_takes_the_same_queries_whatever_its_length(partner_client, partner,
                                                             django_assert_num_queries):
    for number in ("16180339", "27182818"):
        MembershipFactory(organisation__br_number=number)
        ask(partner_client, number)
    LinkRequestFactory.create_batch(3, partner=partner)

    with django_assert_num_queries(2):  # the key, then the page with each link
        response = partner_client.get(LIST)

    assert len(response.json()["results"]) == 5
