from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from subsidy.scheme.models import FundingRound
from tests.factories import FundingRoundFactory, SchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rounds_client(partner, issue_key, client_for):
    return client_for(issue_key(partner=partner, scopes=["rounds:read"]))


def test_round_detail_returns_rules_rubric_dates_and_envelope(rounds_client):
    FundingRoundFactory(code="2026R1", envelope=Decimal("120000000.00"),
                        max_subsidy_per_project=Decimal("5000000.00"),
                        max_ratio_percent=Decimal("70.00"), gpu_hour_rate=Decimal("18.50"),
                        required_documents=["business_plan", "br_certificate"])

    response = rounds_client.get("/api/v1/rounds/2026R1/")

    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "2026R1"
    assert body["currency"] == "HKD"
    assert body["envelope"] == "120000000.00"
    assert body["accepting_submissions"] is True
    assert {"opens_at", "closes_at", "status", "title_en", "title_zh", "scheme"} <= body.keys()
    assert body["rules"] == {
        "max_subsidy_per_project": "5000000.00",
        "max_ratio_percent": "70.00",
        "eligible_categories": ["nlp", "computer_vision"],
        "required_documents": ["business_plan", "br_certificate"],
        "gpu_hour_rate": "18.50",
        "reviewers_per_application": 3,
    }
    assert body["rubric"]["score_scale_max"] == 5
    assert sum(c["weight"] for c in body["rubric"]["criteria"]) == 100
    assert body["rubric"]["criteria"][0].keys() == {"code", "name_en", "name_zh", "weight"}


def test_unknown_round_code_is_404_problem(rounds_client):
    response = rounds_client.get("/api/v1/rounds/NOPE/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Not found."


def test_round_list_is_newest_first_and_cursor_paginated(rounds_client):
    scheme = SchemeFactory()
    now = timezone.now()
    for index in range(5):
        FundingRoundFactory(scheme=scheme, code=f"R{index}",
                            opens_at=now - timedelta(days=10 - index),
                            closes_at=now + timedelta(days=30))

    first = rounds_client.get("/api/v1/rounds/", {"page_size": 2}).json()
    second = rounds_client.get(first["next"]).json()
    third = rounds_client.get(second["next"]).json()

    codes = [r["code"] for page in (first, second, third) for r in page["results"]]
    assert codes == ["R4", "R3", "R2", "R1", "R0"]
    assert third["next"] is None
    assert "count" not in first


def test_round_list_filters_by_status(rounds_client):
    FundingRoundFactory(code="OPEN1")
    FundingRoundFactory(code="SHUT1", status=FundingRound.Status.CLOSED)

    response = rounds_client.get("/api/v1/rounds/", {"status": "closed"})

    assert [r["code"] for r in response.json()["results"]] == ["SHUT1"]


def test_round_list_rejects_an_unknown_status_with_field_errors(rounds_client):
    response = rounds_client.get("/api/v1/rounds/", {"status": "secret"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


@pytest.mark.parametrize("count", [3, 30])
def test_round_list_runs_a_bounded_number_of_queries(rounds_client, count,
                                                     django_assert_num_queries):
    scheme = SchemeFactory()
    FundingRoundFactory.create_batch(count, scheme=scheme, envelope=Decimal("10000000.00"),
                                     max_subsidy_per_project=Decimal("1000000.00"))
    # Authentication (key lookup + last-use update) and the page itself.
    with django_assert_num_queries(3):
        response = rounds_client.get("/api/v1/rounds/", {"page_size": 50})
    assert len(response.json()["results"]) == count
