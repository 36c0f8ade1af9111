"""A query parameter an operation does not declare is refused with 400, its name in
``errors``, like an unknown field in a body: a misspelt filter must not answer the whole
unfiltered list as if it had been applied."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from subsidy.api.query import DeclaredQueryParameters
from subsidy.platform.roles import Role
from tests.api.test_errors import assert_problem
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

UNKNOWN = "This field is not part of the request; check its name."


@pytest.fixture
def finance(issue_key, client_for):
    return client_for(issue_key(user=UserFactory(roles=[Role.FINANCE_OFFICER]),
                                scopes=["reports:read"]))


@pytest.mark.parametrize("path", [
    "/api/v1/rounds/", "/api/v1/organisations/", "/api/v1/applications/",
    "/api/v1/events/", "/api/v1/webhooks/", "/api/v1/organisations/link-requests/",
])
def test_a_misspelt_filter_on_a_list_is_refused(partner_client, path):
    response = partner_client.get(path, {"stauts": "open", "page_size": "10"})

    assert assert_problem(response, 400)["errors"] == {"stauts": [UNKNOWN]}


@pytest.mark.parametrize("path", [
    "/api/v1/reports/disbursements/", "/api/v1/reports/disbursements/csv/",
    "/api/v1/reports/commitments/", "/api/v1/reports/commitments/csv/",
    "/api/v1/reports/summary/",
])
def test_a_misspelt_filter_on_a_report_is_refused(finance, path):
    response = finance.get(path, {"roud": "2026R1"})

    assert assert_problem(response, 400)["errors"] == {"roud": [UNKNOWN]}


def test_unknown_parameters_and_invalid_filters_are_reported_together(partner_client):
    response = partner_client.get("/api/v1/applications/?status=sent&=null&orgnaisation=4")

    errors = assert_problem(response, 400)["errors"]
    assert set(errors) == {"status", "", "orgnaisation"}


@pytest.mark.parametrize("query", ["cursor=abc", "page_size=10"])
def test_paging_parameters_belong_to_lists_only(finance, query):
    # The summary and the CSV registers are not pages.
    assert finance.get(f"/api/v1/reports/disbursements/?{query}").status_code != 400
    for path in ("/api/v1/reports/summary/", "/api/v1/reports/commitments/csv/"):
        errors = assert_problem(finance.get(f"{path}?{query}"), 400)["errors"]
        assert errors == {query.split("=")[0]: [UNKNOWN]}


def test_a_detail_and_a_write_take_no_query_parameters(partner_client, open_round):
    detail = partner_client.get(f"/api/v1/rounds/{open_round.code}/?expand=rubric")
    write = partner_client.post("/api/v1/webhooks/?dry_run=1", {
        "url": "https://portal.example.hk/aiss", "event_types": ["application.submitted"]},
        format="json")

    assert assert_problem(detail, 400)["errors"] == {"expand": [UNKNOWN]}
    assert assert_problem(write, 400)["errors"] == {"dry_run": [UNKNOWN]}


def test_authentication_answers_before_the_query_is_read(client):
    response = client.get("/api/v1/rounds/?stauts=open")

    assert assert_problem(response, 401)["code"] == "missing_key"


def test_the_deprecated_csv_format_of_a_json_register_still_answers(finance):
    assert finance.get("/api/v1/reports/commitments/?format=csv")["Content-Type"].startswith(
        "text/csv")
    # Any other format names no representation (content negotiation).
    assert_problem(finance.get("/api/v1/reports/commitments/?format=xml"), 404)


def test_the_schema_declares_exactly_the_parameters_a_list_takes(partner_client):
    schema = partner_client.get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/applications/"]["get"]

    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "cursor", "page_size", "status", "round", "organisation", "updated_since"}
    # The deprecated CSV alias is not part of the contract of a JSON path.
    report = schema["paths"]["/api/v1/reports/commitments/"]["get"]
    assert "format" not in {p["name"] for p in report["parameters"]}


def _api_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), getattr(entry.callback, "view_class", None)


def test_every_api_endpoint_checks_its_query_parameters():
    unchecked = [path for path, view in _api_views(get_resolver().url_patterns)
                 if path.startswith("api/v1/") and path not in ("api/v1/schema/",
                                                                "api/v1/docs/")
                 and not issubclass(view, DeclaredQueryParameters)]

    assert unchecked == []
