"""Reading applications through the partner API (lists and detail in a fixed number of
queries) and the scope each endpoint needs."""

import pytest

from tests.builders.partner_applications import fill, upload, url
from tests.builders.partners import link
from tests.factories import FundingRoundFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]


def test_list_filters_by_status_round_and_update_time(partner_client, created, partner,
                                                      open_round):
    other_round = FundingRoundFactory()
    organisation = OrganisationFactory()
    link(partner, organisation)
    partner_client.post("/api/v1/applications/", {"organisation": organisation.pk,
                                                  "round": other_round.code}, format="json")
    partner_client.post(url(created, "withdraw/"), {}, format="json")

    by_status = partner_client.get("/api/v1/applications/?status=withdrawn").json()
    by_round = partner_client.get(f"/api/v1/applications/?round={other_round.code}").json()
    future = partner_client.get("/api/v1/applications/",
                                {"updated_since": "2999-01-01T00:00:00Z"}).json()

    assert [a["id"] for a in by_status["results"]] == [created["id"]]
    assert [a["round"] for a in by_round["results"]] == [other_round.code]
    assert future["results"] == []


def test_list_runs_a_fixed_number_of_queries(partner_client, partner,
                                             django_assert_num_queries):
    rounds = [FundingRoundFactory() for _ in range(2)]

    def add_applications(count):
        for _ in range(count):
            organisation = OrganisationFactory()
            link(partner, organisation)
            for round_ in rounds:
                partner_client.post("/api/v1/applications/",
                                    {"organisation": organisation.pk, "round": round_.code},
                                    format="json")

    add_applications(1)
    with django_assert_num_queries(2):
        partner_client.get("/api/v1/applications/?page_size=200")
    add_applications(15)

    with django_assert_num_queries(2):
        response = partner_client.get("/api/v1/applications/?page_size=200")
    assert len(response.json()["results"]) == 32


def test_list_pages_follow_a_stable_order(partner_client, partner, open_round):
    for _ in range(5):
        organisation = OrganisationFactory()
        link(partner, organisation)
        partner_client.post("/api/v1/applications/", {"organisation": organisation.pk,
                                                      "round": open_round.code},
                            format="json")
    seen, page = [], "/api/v1/applications/?page_size=2"
    while page:
        body = partner_client.get(page).json()
        seen += [a["id"] for a in body["results"]]
        page = body["next"]

    assert len(seen) == 5 == len(set(seen))


def test_detail_runs_a_fixed_number_of_queries(partner_client, created,
                                               django_assert_num_queries):
    fill(partner_client, created)
    upload(partner_client, created)

    with django_assert_num_queries(6):
        response = partner_client.get(url(created))
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "suffix", "scope"), [
    ("get", "", "applications:write"),
    ("patch", "", "applications:read"),
    ("post", "documents/", "applications:read"),
    ("post", "submit/", "applications:read"),
    ("post", "withdraw/", "applications:read"),
    ("get", "history/", "applications:write"),
])
def test_each_application_endpoint_needs_its_scope(partner, created, issue_key, client_for,
                                                   method, suffix, scope):
    client = client_for(issue_key(partner=partner, scopes=[scope]))

    response = getattr(client, method)(url(created, suffix), {}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


@pytest.mark.parametrize("path", ["/api/v1/applications/", "/api/v1/events/",
                                  "/api/v1/organisations/"])
def test_lists_refuse_a_missing_key(path):
    from rest_framework.test import APIClient

    response = APIClient().get(path)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_application_list_needs_the_read_scope(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["applications:write"]))

    assert client.get("/api/v1/applications/").status_code == 403


def test_create_needs_the_write_scope(partner, issue_key, client_for, linked_organisation,
                                      open_round):
    client = client_for(issue_key(partner=partner, scopes=["applications:read"]))

    response = client.post("/api/v1/applications/", {"organisation": linked_organisation.pk,
                                                     "round": open_round.code},
                           format="json")

    assert response.status_code == 403
