import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.urls import get_resolver
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from config import api_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema():
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)


def test_schema_documents_the_bearer_scheme(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "aiss_<prefix>_<secret>",
        "description": "An API key issued by a scheme administrator."}
    assert schema["paths"]["/api/v1/rounds/"]["get"]["security"] == [{"bearerAuth": []}]


def test_schema_documents_problem_responses(schema):
    responses = schema["paths"]["/api/v1/webhooks/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422", "429"} <= responses.keys()
    assert "application/problem+json" in responses["400"]["content"]
    assert "Retry-After" in responses["429"]["headers"]


def test_docs_page_loads_its_scripts_and_styles_from_static():
    response = APIClient().get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    scripts = re.findall(r'<script[^>]*src="([^"]+)"', html)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert any(s.endswith("swagger-ui-bundle.js") for s in scripts)
    for asset in assets + scripts:
        if asset.startswith("/static/"):
            assert finders.find(asset.removeprefix("/static/")), asset
        else:
            # The page's own start-up script, served by the same view.
            assert asset.startswith("/api/v1/docs/?"), asset
    assert "<script>" not in html


def test_docs_start_up_script_is_served_as_javascript():
    response = APIClient().get("/api/v1/docs/", {"script": ""})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()


def test_docs_page_keeps_scripts_to_own_files():
    policy = APIClient().get("/api/v1/docs/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-inline'" in directives["style-src"]


def test_other_pages_keep_the_strict_style_policy():
    policy = APIClient().get("/api/v1/rounds/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy


def _api_views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _api_views(pattern.url_patterns)
        else:
            yield pattern.callback.cls


# Writes whose whole input is the path (and the Idempotency-Key).
BODILESS_WRITES = {("post", "/api/v1/applications/{reference}/submit/"),
                   ("post", "/api/v1/webhooks/{endpoint_id}/deliveries/{delivery_id}/redeliver/"),
                   ("post", "/api/v1/webhooks/{endpoint_id}/rotate-secret/"),
                   ("post", "/api/v1/webhooks/{endpoint_id}/ping/"),
                   ("delete", "/api/v1/webhooks/{endpoint_id}/"),
                   ("delete", "/api/v1/organisations/link-requests/{br_number}/"),
                   ("delete", "/api/v1/applications/{reference}/documents/{document_id}/")}


def test_every_operation_documents_its_body_answers_and_idempotency(schema):
    operations = [(method, path, operation) for path, item in schema["paths"].items()
                  for method, operation in item.items()
                  if method in {"get", "post", "patch", "put", "delete"}]
    assert len(operations) > 20
    for method, path, operation in operations:
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), (method, path)
        for code in ("401", "403", "404", "429"):
            assert "application/problem+json" in responses[code]["content"], (method, path)
        headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        if method == "get":
            assert "Idempotency-Key" not in headers, path
            continue
        assert "Idempotency-Key" in headers, (method, path)
        for code in ("400", "409", "422"):
            assert "application/problem+json" in responses[code]["content"], (method, path)
        if (method, path) not in BODILESS_WRITES:
            assert operation["requestBody"]["content"], (method, path)


def test_every_api_endpoint_declares_its_scopes():
    public = {"SpectacularAPIView", "ApiDocs", "ApiNotFound"}
    views = [view for view in _api_views(api_urls.urlpatterns) if view.__name__ not in public]
    assert views
    for view in views:
        assert view.required_scopes, view.__name__


def test_api_is_mounted_under_api_v1():
    assert get_resolver().resolve("/api/v1/rounds/").view_name == "api:round-list"


def test_schema_is_served_as_json_on_request():
    response = APIClient().get("/api/v1/schema/",
                               HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")


@pytest.fixture
def contract():
    return APIClient().get("/api/v1/schema/?format=json").json()


def _operations(contract):
    return [(method, path, operation) for path, item in contract["paths"].items()
            for method, operation in item.items() if method in {"get", "post", "patch",
                                                                "delete", "put"}]


def test_the_idempotency_key_is_bounded_as_the_api_bounds_it(contract):
    (parameter,) = [p for p in contract["paths"]["/api/v1/webhooks/"]["post"]["parameters"]
                    if p["name"] == "Idempotency-Key"]
    assert parameter["schema"] == {"type": "string", "minLength": 1, "maxLength": 255}


def test_amounts_are_non_negative_digit_strings(contract):
    from subsidy.api.serializers import AMOUNT_PATTERN

    patch = contract["components"]["schemas"]["PatchedApplicationUpdateRequest"]
    for name in ("total_eligible_cost", "requested_subsidy"):
        assert patch["properties"][name]["pattern"] == AMOUNT_PATTERN
    assert not re.fullmatch(AMOUNT_PATTERN, "-5.00")


def test_an_application_category_is_never_a_web3_sector(contract):
    patch = contract["components"]["schemas"]["PatchedApplicationUpdateRequest"]
    ref = patch["properties"]["category"]["oneOf"][0]["$ref"].rsplit("/", 1)[1]
    assert not {"defi", "nft", "metaverse", "blockchain_infrastructure"} & set(
        contract["components"]["schemas"][ref]["enum"])


def test_every_answer_and_header_is_declared(contract):
    for method, path, operation in _operations(contract):
        if path.endswith(("/schema/", "/docs/")):
            continue
        responses = operation["responses"]
        assert {"404", "405", "406", "429", "500"} <= set(responses), (method, path)
        if method != "get":
            assert {"400", "409", "413", "415", "422"} <= set(responses), (method, path)
        for code, response in responses.items():
            assert response["headers"]["X-Request-Id"]["required"] is True, (path, code)
            assert "RateLimit-Remaining" in response["headers"], (path, code)
            if method != "get" and code.startswith("2"):
                assert "Idempotent-Replayed" in response["headers"], (path, code)
