"""Malformed, oversized and loosely typed requests: a client error as problem+json, never a
500, never a silent drop or coercion; every error key a dotted path into the body."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.models import Application
from tests.api.test_errors import assert_problem
from tests.builders.partner_applications import fill, submit, upload, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]


def test_a_body_over_the_size_limit_is_413(partner_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"url": "https://example.hk/" + "a" * 3000,
                       "event_types": ["application.submitted"]})

    response = partner_client.generic("POST", "/api/v1/webhooks/", body,
                                      content_type="application/json",
                                      HTTP_IDEMPOTENCY_KEY="big-1")

    assert assert_problem(response, 413)["code"] == "request_too_large"


def test_an_upload_with_too_many_fields_is_413(partner_client, created, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    fields = {f"f{i}": "x" for i in range(30)}

    response = partner_client.post(url(created, "documents/"), fields, format="multipart")

    assert assert_problem(response, 413)["code"] == "request_too_large"


def test_a_json_body_in_an_unknown_encoding_is_400(partner_client):
    response = partner_client.generic("POST", "/api/v1/webhooks/", b"\xff\xfe{\x00",
                                      content_type="application/json")

    assert_problem(response, 400)


@pytest.mark.parametrize("path", ["/api/v1/applications/%00/", "/api/v1/rounds/%00/",
                                  "/api/v1/applications/%00/submit/",
                                  "/api/v1/applications/a%00b/history/"])
def test_a_nul_byte_in_a_path_is_404(partner_client, path):
    response = partner_client.get(path) if "submit" not in path else partner_client.post(path)

    assert_problem(response, 404)


def test_withdraw_with_a_misspelt_reason_is_refused_and_withdraws_nothing(partner_client,
                                                                          created):
    submitted = submit(partner_client, created)

    response = partner_client.post(url(submitted, "withdraw/"), {"reasn": "Merged"},
                                   format="json")

    assert assert_problem(response, 400)["errors"] == {
        "reasn": ["This field is not part of the request; check its name."]}
    assert Application.objects.get(public_id=created["id"]).status == "submitted"


def test_a_link_request_with_an_extra_field_is_refused(partner_client):
    response = partner_client.post("/api/v1/organisations/link-requests/",
                                   {"br_number": "16180339", "note": "hi"}, format="json")

    assert set(assert_problem(response, 400)["errors"]) == {"note"}


def test_a_team_member_with_an_unknown_field_is_refused_by_its_path(partner_client, created):
    response = partner_client.patch(url(created), {
        "version": created["version"],
        "team_members": [{"name": "Chan Tai Man", "role": "Lead"},
                         {"name": "Lee", "role": "Engineer", "hkid": "A1234567"}]},
        format="json")

    assert set(assert_problem(response, 400)["errors"]) == {"team_members.1.hkid"}
    assert not Application.objects.get(public_id=created["id"]).team_members.exists()


def test_an_upload_with_an_unknown_field_is_refused(partner_client, created):
    from tests.builders.applicants import pdf_bytes

    response = partner_client.post(url(created, "documents/"), {
        "document_type": "business_plan", "title": "Plan",
        "file": SimpleUploadedFile("plan.pdf", pdf_bytes())}, format="multipart")

    assert set(assert_problem(response, 400)["errors"]) == {"title"}


@pytest.mark.parametrize(("field", "value"), [
    ("title", 123), ("declares_accurate", "yes"), ("total_eligible_cost", 1000),
    ("total_eligible_cost", "-5.00"), ("total_eligible_cost", "1e5"),
    ("requested_subsidy", " 12"), ("milestones", {"deliverable": "x"}),
])
def test_values_of_the_wrong_type_or_form_are_refused_not_coerced(partner_client, created,
                                                                   field, value):
    response = partner_client.patch(url(created), {"version": created["version"],
                                                   field: value}, format="json")

    assert set(assert_problem(response, 400)["errors"]) == {field}
    application = Application.objects.get(public_id=created["id"])
    assert application.version == created["version"] and application.title == ""


def test_the_version_must_be_a_number(partner_client, created):
    response = partner_client.patch(url(created), {"version": str(created["version"])},
                                    format="json")

    assert set(assert_problem(response, 400)["errors"]) == {"version"}


def test_row_errors_of_shape_and_of_rules_are_named_the_same_way(partner_client, created):
    response = partner_client.patch(url(created), {
        "version": created["version"],
        "budget_lines": [
            {"category": "compute", "description": "Training", "gpu_hours": "99999999"},
            {"category": "personnel", "description": "Engineers", "quantity": "2",
             "unit_cost": "abc"}]}, format="json")
    shape = assert_problem(response, 400)["errors"]
    response = partner_client.patch(url(created), {
        "version": created["version"],
        "budget_lines": [
            {"category": "compute", "description": "Training", "gpu_hours": "9999999"},
            {"category": "personnel", "description": "", "quantity": "2",
             "unit_cost": "1.00"}]}, format="json")
    rules = assert_problem(response, 400)["errors"]

    assert set(shape) == {"budget_lines.0.gpu_hours", "budget_lines.1.unit_cost"}
    assert set(rules) == {"budget_lines.1.description"}


def test_submit_problems_name_the_writable_fields(partner_client, created):
    response = partner_client.post(url(created, "submit/"))

    errors = assert_problem(response, 400)["errors"]
    assert {"budget_lines", "team_members", "privacy_notice_accepted",
            "documents.business_plan"} <= set(errors)
    assert not {"budget", "team", "privacy_notice"} & set(errors)
    assert not [name for name in errors if "-" in name]


def test_a_second_submit_is_an_invalid_transition(partner_client, created):
    submit(partner_client, created)

    response = partner_client.post(url(created, "submit/"))

    assert assert_problem(response, 422)["code"] == "invalid_transition"


def test_a_draft_filled_and_uploaded_submits_once(partner_client, created):
    fill(partner_client, created)
    upload(partner_client, created)

    assert partner_client.post(url(created, "submit/")).status_code == 200


def test_a_control_character_anywhere_in_a_path_is_a_404_problem(partner_client):
    assert_problem(partner_client.get("/api/v1/applications/abc%0A/"), 404)
    assert_problem(partner_client.get("/api/v1/no%0Asuch/"), 404)
