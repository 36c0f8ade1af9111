from unittest import mock

import pytest
from rest_framework.test import APIClient

from subsidy.scheme import selectors

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "instance"}


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= body.keys()
    assert body["status"] == status
    return body


def test_invalid_body_is_400_with_errors_per_field(partner_client):
    response = partner_client.post("/api/v1/webhooks/", {"url": "not a url",
                                                        "event_types": ["no.such.event"]},
                                   format="json")
    body = assert_problem(response, 400)
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"url", "event_types.0"}
    assert body["instance"] == "/api/v1/webhooks/"


def test_malformed_json_is_400_problem(partner_client):
    response = partner_client.generic("POST", "/api/v1/webhooks/", "{not json",
                                      content_type="application/json")
    body = assert_problem(response, 400)
    assert body["code"] == "parse_error"


def test_unknown_path_under_api_is_404_problem_without_a_key():
    body = assert_problem(APIClient().get("/api/v1/no-such-thing/"), 404)
    assert body["instance"] == "/api/v1/no-such-thing/"


def test_unknown_path_outside_the_version_is_404_problem_for_any_method():
    assert_problem(APIClient().post("/api/v2/rounds/", {}, format="json"), 404)
    assert_problem(APIClient().delete("/api/"), 404)


def test_wrong_method_is_405_problem(partner_client):
    body = assert_problem(partner_client.delete("/api/v1/rounds/"), 405)
    assert body["code"] == "method_not_allowed"


def test_too_many_requests_is_429_with_retry_after(partner_client, settings):
    settings.API_THROTTLE_RATE = "2/min"
    partner_client.get("/api/v1/rounds/")
    partner_client.get("/api/v1/rounds/")

    response = partner_client.get("/api/v1/rounds/")

    body = assert_problem(response, 429)
    assert body["code"] == "throttled"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_throttle_counts_each_key_separately(partner, issue_key, client_for, settings):
    settings.API_THROTTLE_RATE = "1/min"
    first, second = client_for(issue_key(partner=partner)), client_for(issue_key(partner=partner))
    assert first.get("/api/v1/rounds/").status_code == 200
    assert second.get("/api/v1/rounds/").status_code == 200
    assert first.get("/api/v1/rounds/").status_code == 429


def test_unexpected_error_is_500_problem_without_a_traceback(partner_client):
    with mock.patch.object(selectors, "rounds_with_budget_position",
                           side_effect=RuntimeError("secret internals")):
        response = partner_client.get("/api/v1/rounds/")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert body["code"] == "server_error"


def test_server_error_handler_answers_api_paths_with_a_problem(rf):
    from subsidy.api.errors import server_error

    response = server_error(rf.get("/api/v1/rounds/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"


def test_missing_trailing_slash_is_404_naming_the_right_path():
    body = assert_problem(APIClient().post("/api/v1/rounds", {}, format="json"), 404)
    assert "/api/v1/rounds/" in body["detail"]
