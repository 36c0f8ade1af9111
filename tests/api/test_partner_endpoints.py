"""Endpoints a partner needs besides the flow: a draft's documents (list, download,
replace, delete), early rule problems without saving, withdrawing a link request, and a
test webhook."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.models import Application, PartnerLink
from subsidy.platform.models import AuditEvent
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.api.test_errors import assert_problem
from tests.builders.applicants import pdf_bytes
from tests.builders.partner_applications import fill, submit, upload, url
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]


def test_a_drafts_documents_are_listed_and_downloaded(partner_client, created):
    uploaded = upload(partner_client, created, content=pdf_bytes()).json()

    listed = partner_client.get(url(created, "documents/")).json()
    download = partner_client.get(url(created, f"documents/{uploaded['id']}/"))

    assert [d["id"] for d in listed] == [uploaded["id"]]
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert AuditEvent.objects.filter(action="application.download_document").exists()


def test_a_download_is_named_by_the_detected_type(partner_client, created):
    uploaded = upload(partner_client, created, name="evil.html", content=pdf_bytes()).json()

    download = partner_client.get(url(created, f"documents/{uploaded['id']}/"))

    assert download["Content-Disposition"] == 'attachment; filename="evil.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"


def test_a_wrong_upload_is_replaced_by_another_of_the_same_type(partner_client, created):
    wrong = upload(partner_client, created, name="old.pdf").json()

    response = partner_client.put(url(created, f"documents/{wrong['id']}/"),
                                  {"file": SimpleUploadedFile("new.pdf", pdf_bytes())},
                                  format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json()["document_type"] == "business_plan"
    names = [d["original_name"] for d in partner_client.get(url(created, "documents/")).json()]
    assert names == ["new.pdf"]


def test_a_wrong_upload_is_deleted(partner_client, created):
    wrong = upload(partner_client, created).json()

    response = partner_client.delete(url(created, f"documents/{wrong['id']}/"))

    assert response.status_code == 204
    assert partner_client.get(url(created, "documents/")).json() == []


def test_documents_of_a_submitted_application_cannot_be_deleted(partner_client, created):
    submitted = submit(partner_client, created)
    (document,) = submitted["documents"]

    response = partner_client.delete(url(created, f"documents/{document['id']}/"))

    assert response.status_code == 422
    assert len(partner_client.get(url(created, "documents/")).json()) == 1


def test_another_applications_document_is_not_found(partner_client, created, partner,
                                                    open_round):
    other = Application.objects.exclude(public_id=created["id"])
    document = upload(partner_client, created).json()
    assert not other.exists()

    response = partner_client.get(f"/api/v1/applications/{created['id']}/documents/"
                                  f"{document['id'] + 1000}/")

    assert_problem(response, 404)


def test_problems_are_reported_early_without_saving(partner_client, created):
    response = partner_client.patch(url(created), {
        "version": created["version"], "total_eligible_cost": "1000000.00",
        "requested_subsidy": "900000.00",
        "milestones": [{"deliverable": "A", "due_date": "2027-03-31", "share_percent": "60"},
                       {"deliverable": "B", "due_date": "2027-06-30",
                        "share_percent": "60"}]}, format="json")
    assert response.status_code == 200, response.json()

    report = partner_client.get(url(created, "problems/")).json()

    assert report["ready"] is False
    assert "requested_subsidy" in report["problems"]
    assert any("120" in message for message in report["problems"]["milestones"])
    assert Application.objects.get(public_id=created["id"]).status == "draft"


def test_a_complete_draft_has_no_problems(partner_client, created):
    fill(partner_client, created)
    upload(partner_client, created)

    assert partner_client.get(url(created, "problems/")).json() == {"ready": True,
                                                                    "problems": {}}


def test_a_pending_link_request_can_be_withdrawn(partner_client, partner):
    organisation = OrganisationFactory(br_number="16180339")
    MembershipFactory(organisation=organisation)
    partner_client.post("/api/v1/organisations/link-requests/", {"br_number": "16180339"},
                        format="json")

    response = partner_client.delete("/api/v1/organisations/link-requests/16180339/")

    assert response.status_code == 204
    assert PartnerLink.objects.get(partner=partner).revoked_at is not None


def test_withdrawing_says_nothing_about_whether_a_company_exists(partner_client,
                                                                 linked_organisation):
    unknown = partner_client.delete("/api/v1/organisations/link-requests/99999999/")
    linked = partner_client.delete(
        f"/api/v1/organisations/link-requests/{linked_organisation.br_number}/")

    assert unknown.status_code == linked.status_code == 204
    assert PartnerLink.objects.get(organisation=linked_organisation).is_active


def test_a_ping_is_a_signed_test_delivery_in_the_log(partner_client, partner, settings,
                                                     monkeypatch):
    settings.WEBHOOKS_ALLOW_INSECURE = settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = WebhookEndpoint.objects.create(partner=partner, url="http://127.0.0.1:9/h",
                                              event_types=["application.submitted"],
                                              secret="whsec_test")

    response = partner_client.post(f"/api/v1/webhooks/{endpoint.pk}/ping/")

    assert response.status_code == 202
    delivery = WebhookDelivery.objects.get(pk=response.json()["id"])
    assert delivery.event_type == "ping" and delivery.payload["type"] == "ping"
    log = partner_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert [d["id"] for d in log["results"]] == [delivery.pk]
