"""Applications through the partner API after the draft: submitted, asked for information,
withdrawn and their history, with the same services as the web, and the partner's webhooks
told of each public step."""

import pytest

from applicants.models import Application, StatusChange
from applicants.workflow import application_transition
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery
from subsidy.webhooks.services.delivery import webhook_endpoint_create
from tests.builders.partner_applications import fill, submit, upload, url
from tests.builders.reviews import panel_declared
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]


def webhooks_to(partner, settings, event_types):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    return webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/hook",
                                   event_types=event_types)


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


def test_submission_reads_the_parts_once(partner_client, created,
                                         django_assert_num_queries):
    fill(partner_client, created)
    upload(partner_client, created)
    # One lock and one permission check, one statement for the next reference, and one
    # read of the lines, milestones, team and documents for the checks and the frozen
    # version, and the audit chain's tail: 30 queries (35 with a second lock and check and a
    # three-statement sequence, 43 when the checks and the version each read the parts).
    with django_assert_num_queries(30):
        response = partner_client.post(url(created, "submit/"))
    assert response.status_code == 200, response.json()
    assert response.json()["reference"] == "AISS-2026R1-00001"


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
    panel_declared(panel, application)
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
