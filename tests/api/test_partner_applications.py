"""Applications through the partner API: a draft created, filled, documented, submitted and
withdrawn with the same services (and so the same rules and messages) as the web."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from applicants.models import Application, ApplicationStatus, StatusChange
from applicants.workflow import application_transition
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery
from subsidy.webhooks.services.delivery import webhook_endpoint_create
from tests.builders.applicants import BUDGET, MILESTONES, PROJECT, RAI, TEAM, pdf_bytes
from tests.builders.partners import link
from tests.factories import FundingRoundFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

FILLED = {**PROJECT, **RAI, "budget_lines": BUDGET, "milestones": MILESTONES,
          "team_members": TEAM, "declares_accurate": True,
          "declares_no_double_funding": True, "declares_compliance": True,
          "privacy_notice_accepted": True}


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def created(partner_client, linked_organisation, open_round):
    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": open_round.code}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def url(application, suffix=""):
    return f"/api/v1/applications/{application['id']}/{suffix}"


def fill(client, application):
    response = client.patch(url(application), {**FILLED, "version": application["version"]},
                            format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def upload(client, application, name="plan.pdf", content=None, **headers):
    return client.post(url(application, "documents/"),
                       {"document_type": "business_plan",
                        "file": SimpleUploadedFile(name, content or pdf_bytes())},
                       format="multipart", **headers)


def submit(client, application):
    fill(client, application)
    upload(client, application)
    response = client.post(url(application, "submit/"))
    assert response.status_code == 200, response.json()
    return response.json()


def webhooks_to(partner, settings, event_types):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    return webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/hook",
                                   event_types=event_types)


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
    assert errors["team-0-name"] == [
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
        "This file is not a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG document.")


def test_upload_replays_with_the_same_idempotency_key(partner_client, created):
    first = upload(partner_client, created, HTTP_IDEMPOTENCY_KEY="doc-1")
    second = upload(partner_client, created, HTTP_IDEMPOTENCY_KEY="doc-1")

    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert Application.objects.get(public_id=created["id"]).documents.count() == 1


def test_submit_lists_what_is_missing(partner_client, created):
    response = partner_client.post(url(created, "submit/"))

    assert response.status_code == 400
    assert "title" in response.json()["errors"]
    assert Application.objects.get(public_id=created["id"]).status == "draft"


def test_submit_gives_the_reference_and_the_reference_names_it(partner_client, created):
    fill(partner_client, created)
    upload(partner_client, created)

    response = partner_client.post(url(created, "submit/"))

    assert response.status_code == 200, response.json()
    reference = response.json()["reference"]
    assert reference == "AISS-2026R1-00001"
    assert response.json()["status"] == "submitted"
    by_reference = partner_client.get(f"/api/v1/applications/{reference}/")
    assert by_reference.json()["id"] == created["id"]


def test_submit_is_audited_as_the_partner_key(partner_client, created):
    fill(partner_client, created)
    upload(partner_client, created)

    partner_client.post(url(created, "submit/"))

    event = AuditEvent.objects.get(action="application.submit")
    assert event.actor is None and event.actor_label.startswith("partner:HKU iDendron")
    assert StatusChange.objects.get(transition="submit").actor is None


def test_submit_replays_with_the_same_idempotency_key(partner_client, created):
    fill(partner_client, created)
    upload(partner_client, created)

    first = partner_client.post(url(created, "submit/"), HTTP_IDEMPOTENCY_KEY="submit-1")
    second = partner_client.post(url(created, "submit/"), HTTP_IDEMPOTENCY_KEY="submit-1")

    assert second.json() == first.json() and second["Idempotent-Replayed"] == "true"
    assert StatusChange.objects.filter(transition="submit").count() == 1


def test_submission_is_sent_to_the_partner_webhooks(partner, partner_client, created,
                                                    settings):
    webhooks_to(partner, settings, ["application.submitted", "application.status_changed"])
    fill(partner_client, created)
    upload(partner_client, created)

    partner_client.post(url(created, "submit/"))

    deliveries = {d.event_type: d.payload["data"] for d in WebhookDelivery.objects.all()}
    assert set(deliveries) == {"application.submitted", "application.status_changed"}
    assert deliveries["application.submitted"]["application"]["reference"] == (
        "AISS-2026R1-00001")
    assert deliveries["application.submitted"]["to_status"] == "submitted"


def test_a_new_draft_is_sent_to_the_partner_webhooks(partner, partner_client, settings,
                                                     linked_organisation, open_round):
    webhooks_to(partner, settings, ["application.created"])

    response = partner_client.post("/api/v1/applications/",
                                   {"organisation": linked_organisation.pk,
                                    "round": open_round.code}, format="json")

    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["data"]["application"]["id"] == response.json()["id"]
    assert delivery.payload["data"]["application"]["status"] == "draft"


def test_a_decision_is_sent_to_the_partner_webhooks(partner, partner_client, created,
                                                    settings):
    submit(partner_client, created)
    webhooks_to(partner, settings, ["application.decided"])
    application = Application.objects.get(public_id=created["id"])
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    panel = UserFactory(roles=[Role.PANEL_MEMBER])
    for step, actor in [("start_screening", officer), ("pass_to_review", officer),
                        ("complete_review", officer)]:
        application_transition(actor=actor, application=application, transition_name=step)

    application_transition(actor=panel, application=application, transition_name="reject",
                           reason="The budget is not justified.")

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "application.decided"
    assert delivery.payload["data"]["to_status"] == "rejected"
    assert delivery.payload["data"]["note"] == "The budget is not justified."


def test_a_request_for_information_sends_its_question_to_the_partner_webhooks(
        partner, partner_client, created, settings):
    submit(partner_client, created)
    webhooks_to(partner, settings, ["application.info_requested"])
    application = Application.objects.get(public_id=created["id"])
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    application_transition(actor=officer, application=application,
                           transition_name="start_screening")

    application_transition(actor=officer, application=application,
                           transition_name="request_information",
                           question="Name the pilot clinics.", sections=["project"])

    delivery = WebhookDelivery.objects.get()
    assert delivery.payload["data"]["to_status"] == "info_requested"
    assert delivery.payload["data"]["note"] == "Name the pilot clinics."
    # Times read as everywhere else in the API: the feed's event and the webhook agree.
    event = partner_client.get("/api/v1/events/").json()["results"][-1]
    assert delivery.payload["data"]["at"] == event["at"]
    assert delivery.payload["created_at"].endswith("+08:00")


def test_a_request_for_information_names_what_the_partner_may_change(partner_client,
                                                                     created):
    submit(partner_client, created)
    assert partner_client.get(url(created)).json()["information_request"] is None
    application = Application.objects.get(public_id=created["id"])
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    application_transition(actor=officer, application=application,
                           transition_name="start_screening")
    application_transition(actor=officer, application=application,
                           transition_name="request_information",
                           question="Name the pilot clinics.", sections=["project", "team"])

    asked = partner_client.get(url(created)).json()

    assert asked["status"] == "info_requested"
    request = asked["information_request"]
    assert request["question"] == "Name the pilot clinics."
    assert request["sections"] == ["project", "team"]
    assert "summary" in request["patch_fields"] and "team_members" in request["patch_fields"]
    assert "budget_lines" not in request["patch_fields"]
    changed = partner_client.patch(url(created), {"version": asked["version"],
                                                  "summary": "Piloted at two clinics."},
                                   format="json")
    assert changed.status_code == 200, changed.json()
    answered = partner_client.post(url(created, "submit/"))
    assert answered.json()["status"] == "submitted"
    assert answered.json()["information_request"] is None


def test_assessment_steps_are_not_announced_one_by_one(partner, partner_client, created,
                                                       settings):
    submit(partner_client, created)
    webhooks_to(partner, settings, ["application.status_changed"])
    application = Application.objects.get(public_id=created["id"])
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])

    for step in ("start_screening", "pass_to_review", "complete_review"):
        application_transition(actor=officer, application=application, transition_name=step)

    assert [d.payload["data"]["to_status"] for d in WebhookDelivery.objects.all()] == [
        "under_assessment"]


def test_withdraw_frees_the_round(partner_client, created):
    response = partner_client.post(url(created, "withdraw/"), {"reason": "Merged"},
                                   format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"


def test_withdrawing_twice_is_refused(partner_client, created):
    partner_client.post(url(created, "withdraw/"), {}, format="json")

    response = partner_client.post(url(created, "withdraw/"), {}, format="json")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_transition"


def test_a_refused_step_names_the_status_the_partner_sees(partner_client, created):
    submit(partner_client, created)
    application = Application.objects.get(public_id=created["id"])
    application_transition(actor=UserFactory(roles=[Role.PROGRAMME_OFFICER]),
                           application=application, transition_name="start_screening")

    response = partner_client.post(url(created, "submit/"))

    assert response.status_code == 422
    assert response.json()["detail"] == (
        "“Submit application” is not possible while the application is “Under "
        "assessment”.")


def test_history_lists_public_steps_oldest_first(partner_client, created):
    submit(partner_client, created)
    partner_client.post(url(created, "withdraw/"), {}, format="json")

    response = partner_client.get(url(created, "history/"))

    assert response.status_code == 200
    assert [(h["from_status"], h["to_status"]) for h in response.json()["results"]] == [
        ("draft", "submitted"), ("submitted", "withdrawn")]


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


def test_an_applicant_edit_on_the_web_is_seen_by_the_partner(partner_client, created):
    application = Application.objects.get(public_id=created["id"])
    assert application.status == ApplicationStatus.DRAFT

    response = partner_client.get(url(created))

    assert response.json()["version"] == application.version


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


# The writes on the deadline path run a bounded number of queries: a portal sending hundreds
# of applications at once pays for every round trip.

def test_filling_every_part_is_one_save(partner_client, created,
                                        django_assert_num_queries):
    # Six parts under one lock, as one version with one audit record: 23 queries (58 when each
    # part was saved on its own, 70 when each also had a second, redundant savepoint).
    with django_assert_num_queries(23):
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
    # The upload locks and checks the row itself; its parts are not read (13 when they were).
    with django_assert_num_queries(9):
        response = upload(partner_client, created)
    assert response.status_code == 201, response.json()


def test_submission_reads_the_parts_once(partner_client, created,
                                         django_assert_num_queries):
    fill(partner_client, created)
    upload(partner_client, created)
    # One lock and one permission check, one statement for the next reference, and one
    # read of the lines, milestones, team and documents for the checks and the frozen
    # version: 29 queries (35 with a second lock and check and a three-statement sequence,
    # 43 when the checks and the version each read the parts).
    with django_assert_num_queries(29):
        response = partner_client.post(url(created, "submit/"))
    assert response.status_code == 200, response.json()
    assert response.json()["reference"] == "AISS-2026R1-00001"
