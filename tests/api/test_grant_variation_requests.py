"""A partner linked to a company asks for a variation of its grant through the API: the same
checks as the owner's page, every problem named by the API's field path, a retry with the
same Idempotency-Key replays the first answer, and a company not linked is not found."""

from decimal import Decimal

import pytest
from django.urls import reverse

from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.variations.models import Variation
from tests.builders.partners import link
from tests.builders.variations import active_grant, lines
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant():
    round_ = FundingRoundFactory(envelope=Decimal("3000000.00"),
                                 max_subsidy_per_project=Decimal("2000000.00"))
    return active_grant(round_, UserFactory(roles=[Role.PROGRAMME_OFFICER]))


def url(grant):
    return reverse("api:application-variations", args=[grant.application.reference])


BODY = {"reason": "The pilot clinics start three months later.", "new_end_date": "2028-03-31"}


def test_a_linked_partner_asks_for_a_later_end_date(partner, partner_client, grant):
    link(partner, grant.application.organisation)

    response = partner_client.post(url(grant), BODY, format="json")

    assert response.status_code == 201, response.content
    variation = Variation.objects.get(grant=grant)
    assert response.json()["number"] == variation.number == 1
    assert response.json()["status"] == "requested"
    assert response.json()["new_end_date"] == "2028-03-31"
    assert variation.partner == partner and variation.requested_by is None
    assert variation.decider == "officer"
    assert AuditEvent.objects.get(action="variation.request").actor_label.startswith("partner:")


def test_milestones_and_budget_lines_are_named_by_their_position(partner, partner_client,
                                                                  grant):
    link(partner, grant.application.organisation)
    compute, people = lines(grant)

    response = partner_client.post(url(grant), {
        "reason": "Another month for the second milestone.",
        "milestones": [{"milestone": 1, "due_date": "2027-10-31"}],
        "budget_moves": [{"from_line": 0, "to_line": 1, "amount": "20000.00"}]},
        format="json")

    assert response.status_code == 201, response.content
    move = Variation.objects.get(grant=grant).budget_moves.get()
    assert (move.from_line, move.to_line, move.amount) == (compute, people,
                                                           Decimal("20000.00"))
    assert response.json()["milestone_changes"][0]["new_due_date"] == "2027-10-31"


def test_a_partner_not_linked_to_the_company_is_not_found(partner_client, grant):
    response = partner_client.post(url(grant), BODY, format="json")

    assert response.status_code == 404
    assert not Variation.objects.exists()


def test_a_refused_request_names_every_problem_by_its_path(partner, partner_client, grant):
    link(partner, grant.application.organisation)

    response = partner_client.post(url(grant), {
        "reason": " ", "new_amount": "5000000.00",
        "budget_moves": [{"from_line": 0, "to_line": 1, "amount": "900000.00"}]},
        format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "reason" in errors
    assert "above the round's maximum" in " ".join(errors["new_amount"])
    assert "the round allows at most 10%" in " ".join(errors["non_field_errors"])
    assert not Variation.objects.exists()


def test_an_unknown_field_or_position_is_refused(partner, partner_client, grant):
    link(partner, grant.application.organisation)

    unknown = partner_client.post(url(grant), {**BODY, "new_budget": "1"}, format="json")
    far = partner_client.post(url(grant), {
        "reason": "Move it.", "budget_moves": [{"from_line": 0, "to_line": 9,
                                                "amount": "10.00"}]}, format="json")

    assert unknown.status_code == 400 and "new_budget" in unknown.json()["errors"]
    assert far.status_code == 400
    assert "budget_moves.0.from_line" in far.json()["errors"]


def test_a_second_request_waits_for_the_first_decision(partner, partner_client, grant):
    link(partner, grant.application.organisation)
    partner_client.post(url(grant), BODY, format="json")

    again = partner_client.post(url(grant), {**BODY, "new_end_date": "2028-06-30"},
                                format="json")

    assert again.status_code == 422
    assert again.json()["code"] == "variation_open"


def test_a_retry_with_the_same_key_replays_the_first_answer(partner, partner_client, grant):
    link(partner, grant.application.organisation)

    first = partner_client.post(url(grant), BODY, format="json", HTTP_IDEMPOTENCY_KEY="v-1")
    retry = partner_client.post(url(grant), BODY, format="json", HTTP_IDEMPOTENCY_KEY="v-1")

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Variation.objects.filter(grant=grant).count() == 1


def test_a_key_without_the_write_scope_cannot_ask(partner, issue_key, client_for, grant):
    link(partner, grant.application.organisation)
    reader = client_for(issue_key(partner=partner, scopes=["applications:read"]))

    assert reader.post(url(grant), BODY, format="json").status_code == 403
    assert reader.get(url(grant)).status_code == 200
    assert not Variation.objects.exists()
