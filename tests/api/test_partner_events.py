"""The events feed: what happened to the partner's applications, oldest first, from a
cursor on."""

import pytest

from applicants.services.drafts import application_create_draft
from applicants.workflow import application_transition
from subsidy.platform.roles import Role
from tests.builders.applicants import fill
from tests.builders.partners import link
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


def submitted_application(partner, round_):
    owner = UserFactory(roles=[Role.APPLICANT])
    organisation = MembershipFactory(user=owner).organisation
    link(partner, organisation)
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=round_)
    fill(owner, application)
    application_transition(actor=owner, application=application, transition_name="submit")
    return application


def test_feed_lists_status_changes_in_order(partner_client, partner, open_round):
    application = submitted_application(partner, open_round)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    application_transition(actor=officer, application=application,
                           transition_name="start_screening")

    events = partner_client.get("/api/v1/events/").json()["results"]

    assert [(e["type"], e["from_status"], e["to_status"]) for e in events] == [
        ("application.status_changed", "draft", "submitted"),
        ("application.status_changed", "submitted", "under_assessment")]
    assert events[0]["application"]["reference"] == application.reference
    assert events[0]["application"]["id"] == str(application.public_id)


def test_feed_leaves_out_steps_inside_the_assessment(partner_client, partner, open_round):
    application = submitted_application(partner, open_round)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    for step in ("start_screening", "pass_to_review", "complete_review"):
        application_transition(actor=officer, application=application, transition_name=step)

    events = partner_client.get("/api/v1/events/").json()["results"]

    assert [e["to_status"] for e in events] == ["submitted", "under_assessment"]


def test_feed_continues_after_the_last_event_seen(partner_client, partner, open_round):
    application = submitted_application(partner, open_round)
    first = partner_client.get("/api/v1/events/").json()["results"]
    owner = application.organisation.memberships.get().user
    application_transition(actor=owner, application=application, transition_name="withdraw")

    later = partner_client.get(f"/api/v1/events/?after={first[-1]['id']}").json()["results"]

    assert [e["to_status"] for e in later] == ["withdrawn"]


def test_feed_pages_follow_the_cursor(partner_client, partner, open_round):
    for _ in range(3):
        submitted_application(partner, open_round)
        open_round.refresh_from_db()
    seen, page = [], "/api/v1/events/?page_size=2"
    while page:
        body = partner_client.get(page).json()
        seen += [e["id"] for e in body["results"]]
        page = body["next"]

    assert seen == sorted(seen) and len(seen) == 3


def test_feed_needs_the_read_scope(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["rounds:read"]))

    assert client.get("/api/v1/events/").status_code == 403


def test_feed_runs_a_fixed_number_of_queries(partner_client, partner, open_round,
                                             django_assert_num_queries):
    submitted_application(partner, open_round)
    # The key's first request records its last use (refreshed at most once a minute).
    with django_assert_num_queries(3):
        partner_client.get("/api/v1/events/?page_size=200")
    for _ in range(5):
        submitted_application(partner, open_round)

    with django_assert_num_queries(2):
        response = partner_client.get("/api/v1/events/?page_size=200")
    assert len(response.json()["results"]) == 6
