"""Drafts through the partner API: created, filled and documented with the same services (and
so the same rules and messages) as the web."""

import pytest

from applicants.models import Application, ApplicationStatus
from subsidy.platform.models import AuditEvent
from tests.builders.applicants import PROJECT
from tests.builders.partner_applications import FILLED, fill, upload, url
from tests.factories import FundingRoundFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]


def test_create_starts_a_draft_without_a_reference(created, linked_organisation):
    assert created["status"] == "draft"
    assert created["reference"] is None
    assert created["organisation"] == linked_organisation.pk
    assert Application.objects.get(public_id=created["id"]).created_by is None


def test_create_refuses_a_second_live_application_with_the_web_message(
        partner_client, created, linked_organisation, open_round):
    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": open_round.code}, format="json")

    assert response.status_code == 422
    assert response.json()["detail"] == ("Your company already has an application in this "
                                         "round; only one is allowed per round.")


def test_create_for_an_unlinked_organisation_is_refused(partner_client, open_round):
    other = OrganisationFactory()

    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": other.pk, "round": open_round.code},
                                   format="json")

    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]
    assert not Application.objects.exists()


def test_create_in_a_closed_round_is_refused(partner_client, linked_organisation):
    closed = FundingRoundFactory(status="closed")

    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": closed.code}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "round_closed"


def test_create_with_a_reused_idempotency_key_and_another_body_is_refused(
        partner_client, linked_organisation, open_round):
    other_round = FundingRoundFactory()
    partner_client.post("/api/v1/applications/", {"organisation": linked_organisation.pk,
                                                  "round": open_round.code},
                        format="json", HTTP_IDEMPOTENCY_KEY="draft-1")

    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": other_round.code},
                                   format="json", HTTP_IDEMPOTENCY_KEY="draft-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Application.objects.count() == 1


def test_patch_fills_every_section(partner_client, created):
    body = fill(partner_client, created)

    assert body["title"] == PROJECT["title"]
    assert body["requested_subsidy"] == "700000.00"
    assert [line["amount"] for line in body["budget_lines"]] == ["370000.00", "630000.00"]
    assert len(body["milestones"]) == 3 and body["team_members"][0]["name"] == "Chan Tai Man"
    assert body["privacy_notice_accepted"] is True


def test_patch_keeps_fields_it_does_not_name(partner_client, created):
    filled = fill(partner_client, created)

    response = partner_client.patch(url(created), {"title": "New title",
                                                   "version": filled["version"]},
                                    format="json")

    assert response.json()["title"] == "New title"
    assert response.json()["summary"] == PROJECT["summary"]
    assert len(response.json()["budget_lines"]) == 2


def test_patch_reports_every_problem_with_the_web_messages(partner_client, created):
    response = partner_client.patch(url(created), {
        "version": created["version"], "end_date": "2026-01-01", "start_date": "2027-01-01",
        "team_members": [{"name": "A123456(7)", "role": "Lead"}]}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["end_date"] == ["The end date must not be before the start date."]
    assert errors["team_members.0.name"] == [
        "Do not enter identity card (HKID) numbers; the scheme does not collect them."]


def test_patch_with_a_problem_saves_nothing(partner_client, created):
    partner_client.patch(url(created), {"version": created["version"], "title": "Kept out",
                                        "end_date": "not a date"}, format="json")

    application = Application.objects.get(public_id=created["id"])
    assert application.title == "" and application.version == created["version"]


def test_patch_with_a_stale_version_is_refused(partner_client, created):
    fill(partner_client, created)

    response = partner_client.patch(url(created), {"title": "Late",
                                                   "version": created["version"]},
                                    format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "stale"


def test_patch_needs_the_version(partner_client, created):
    response = partner_client.patch(url(created), {"title": "x"}, format="json")

    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_patch_refuses_a_field_it_does_not_know_and_saves_nothing(partner_client, created):
    response = partner_client.patch(url(created), {"version": created["version"],
                                                   "titel": "Misspelt", "summary": "Kept?"},
                                    format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "titel": ["This field is not part of the request; check its name."]}
    assert partner_client.get(url(created)).json()["summary"] == ""


def test_upload_attaches_a_document(partner_client, created):
    response = upload(partner_client, created)

    assert response.status_code == 201, response.json()
    assert response.json()["mime_type"] == "application/pdf"
    assert partner_client.get(url(created)).json()["documents"][0]["original_name"] == (
        "plan.pdf")


def test_upload_refuses_a_disguised_file_with_the_web_message(partner_client, created):
    response = upload(partner_client, created, name="plan.pdf", content=b"MZ\x90\x00 not pdf")

    assert response.status_code == 400
    assert response.json()["errors"]["file"][0].startswith(
        "This file is not a PDF, Word (DOCX), Excel (XLSX), PowerPoint (PPTX), PNG or JPEG "
        "document.")


def test_upload_replays_with_the_same_idempotency_key(partner_client, created):
    first = upload(partner_client, created, HTTP_IDEMPOTENCY_KEY="doc-1")
    second = upload(partner_client, created, HTTP_IDEMPOTENCY_KEY="doc-1")

    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Application.objects.get(public_id=created["id"]).documents.count() == 1


def test_an_applicant_edit_on_the_web_is_seen_by_the_partner(partner_client, created):
    application = Application.objects.get(public_id=created["id"])
    assert application.status == ApplicationStatus.DRAFT

    response = partner_client.get(url(created))

    assert response.json()["version"] == application.version


# The writes on the deadline path run a bounded number of queries: a portal sending hundreds
# of applications at once pays for every round trip.

def test_filling_every_part_is_one_save(partner_client, created,
                                        django_assert_num_queries):
    # Six parts under one lock, as one version with one audit record (and the read of the
    # audit chain's tail): 24 queries (58 when each part was saved on its own, 70 when each
    # also had a second, redundant savepoint).
    with django_assert_num_queries(24):
        response = partner_client.patch(url(created), {**FILLED, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["version"] == 2
    saves = AuditEvent.objects.filter(action="application.save_section")
    assert saves.count() == 1
    assert saves.get().after["section"] == ("project, budget, milestones, team, "
                                            "responsible_ai, declarations")


def test_an_upload_reads_the_application_row_only(partner_client, created,
                                                  django_assert_num_queries):
    fill(partner_client, created)
    # The upload locks and checks the row itself; its parts are not read (13 when they
    # were). One of the 11 reads the audit chain's tail; the partner's link is checked
    # twice: before the virus scan, and again under the row's lock.
    with django_assert_num_queries(11):
        response = upload(partner_client, created)
    assert response.status_code == 201, response.json()
