"""What operators and client developers need on every answer: the IETF draft's
``RateLimit-*`` headers, limits per key and per partner, and an ``X-Request-Id`` that also
appears in the logs."""

import logging

import pytest
from rest_framework.test import APIClient

from tests.api.test_errors import assert_problem

pytestmark = pytest.mark.django_db


def test_every_answer_carries_the_rate_limit_headers(partner_client, settings):
    settings.API_THROTTLE_RATE = "5/min"
    settings.API_PARTNER_THROTTLE_RATE = "100/min"

    first = partner_client.get("/api/v1/rounds/")
    second = partner_client.get("/api/v1/rounds/")

    assert first["RateLimit-Limit"] == "5"
    assert (first["RateLimit-Remaining"], second["RateLimit-Remaining"]) == ("4", "3")
    assert 1 <= int(second["RateLimit-Reset"]) <= 60


def test_a_refusal_for_too_many_requests_says_none_remain(partner_client, settings):
    settings.API_THROTTLE_RATE = "1/min"
    partner_client.get("/api/v1/rounds/")

    refused = partner_client.get("/api/v1/rounds/")

    assert_problem(refused, 429)
    assert refused["RateLimit-Remaining"] == "0"
    assert refused["RateLimit-Limit"] == "1"


def test_a_partner_cannot_multiply_its_limit_with_more_keys(partner, issue_key, client_for,
                                                             settings):
    settings.API_THROTTLE_RATE = "100/min"
    settings.API_PARTNER_THROTTLE_RATE = "2/min"
    first, second = (client_for(issue_key(partner=partner)),
                     client_for(issue_key(partner=partner)))

    assert first.get("/api/v1/rounds/").status_code == 200
    assert second.get("/api/v1/rounds/")["RateLimit-Remaining"] == "0"
    assert_problem(first.get("/api/v1/rounds/"), 429)


def test_every_answer_has_a_request_id_even_an_unauthenticated_404():
    response = APIClient().get("/api/v1/no-such-thing/")

    assert len(response["X-Request-Id"]) == 32


def test_a_sane_incoming_request_id_is_kept_and_an_insane_one_replaced(partner_client):
    kept = partner_client.get("/api/v1/rounds/", HTTP_X_REQUEST_ID="portal-42.abc")
    replaced = partner_client.get("/api/v1/rounds/", HTTP_X_REQUEST_ID="x\r\nSet-Cookie: a")

    assert kept["X-Request-Id"] == "portal-42.abc"
    assert "\n" not in replaced["X-Request-Id"] and len(replaced["X-Request-Id"]) == 32


def test_log_lines_of_a_request_carry_its_id(partner_client, caplog):
    from subsidy.platform.request_id import RequestIdLogFilter

    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RequestIdLogFilter) for f in handler.filters)
    caplog.handler.addFilter(RequestIdLogFilter())
    with caplog.at_level(logging.WARNING):
        partner_client.get("/api/v1/applications/nothing-here/", HTTP_X_REQUEST_ID="trace-7")

    assert "trace-7" in [record.request_id for record in caplog.records]
