"""The panel's meeting, from its pages: the agenda from the ranking, attendance and the
quorum, votes (never from a recused member), decisions through the decision services after
a check page, minutes, closing, and deciding several items at once."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applicants.models import Application
from reviews.models import PanelAgendaItem, PanelMeeting, PanelVote
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.reviews import panel_declared
from tests.factories import RoundAssessmentSettingsFactory, UserFactory

from .decision_helpers import make_application, make_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db):
    return UserFactory(roles=[Role.PANEL_MEMBER], full_name="Chair Chan")


@pytest.fixture
def member(db):
    return UserFactory(roles=[Role.PANEL_MEMBER], full_name="Member Mok")


@pytest.fixture
def meeting_round(db):
    round_ = make_round(code="2026M1", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    RoundAssessmentSettingsFactory(round=round_, panel_quorum=2)
    return round_


def _status(application):
    return Application.objects.get(pk=application.pk).status


def _convene(client, chair, round_):
    client.force_login(chair)
    response = client.post(reverse("reviews:meetings", args=[round_.code]),
                           {"title": "March panel", "held_on": "2026-03-02"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return PanelMeeting.objects.get()


def _item_url(item):
    return reverse("reviews:meeting_item", args=[item.meeting_id, item.pk])


def _attend(client, chair, meeting, *members):
    client.force_login(chair)
    client.post(reverse("reviews:meeting", args=[meeting.pk]),
                {"members": [str(m.pk) for m in (chair, *members)]})


@pytest.fixture
def quorate(client, chair, member, meeting_round):
    """A meeting of two members present (the quorum) on two reviewed applications, both
    members free of any conflict in them."""
    first = make_application(meeting_round, state="reviewed", panel=chair)
    second = make_application(meeting_round, state="reviewed", panel=chair)
    panel_declared(member, first, second)
    meeting = _convene(client, chair, meeting_round)
    _attend(client, chair, meeting, member)
    return meeting, first, second


def test_convening_builds_the_agenda_from_the_ranking_with_the_rounds_quorum(
        client, chair, meeting_round):
    reviewed = make_application(meeting_round, state="reviewed", panel=chair)
    in_review = make_application(meeting_round, state="in_review")
    meeting = _convene(client, chair, meeting_round)
    assert (meeting.chair, meeting.quorum) == (chair, 2)
    [item] = meeting.items.all()
    assert item.application == reviewed and item.application != in_review
    assert item.requested_amount == item.recommended_amount == reviewed.requested_subsidy
    page = client.get(reverse("reviews:meeting", args=[meeting.pk])).content.decode()
    assert reviewed.reference in page and "HK$700,000.00" in page
    assert "Chair Chan" in page


def test_a_recused_member_cannot_vote_on_the_item(client, chair, member, meeting_round):
    application = make_application(meeting_round, state="reviewed", panel=chair)
    meeting = _convene(client, chair, meeting_round)
    _attend(client, chair, meeting, member)
    client.force_login(member)
    item = meeting.items.get()
    client.post(_item_url(item), {"form": "declare", "has_conflict": "yes",
                                  "reason": "I advise the company"})
    page = client.get(_item_url(item)).content.decode()
    assert "you are recused" in page
    response = client.post(_item_url(item), {"form": "vote", "choice": "approve"})
    assert response.status_code == 400
    assert "recused" in response.content.decode()
    assert not PanelVote.objects.exists()
    assert _status(application) == "reviewed"


def test_a_member_not_present_cannot_vote(client, chair, member, meeting_round):
    application = make_application(meeting_round, state="reviewed", panel=chair)
    panel_declared(member, application)
    meeting = _convene(client, chair, meeting_round)
    client.force_login(member)
    response = client.post(_item_url(meeting.items.get()), {"form": "vote", "choice": "reject"})
    assert response.status_code == 400
    assert not PanelVote.objects.exists()


def test_votes_are_recorded_per_member_and_shown_on_the_agenda(client, chair, member, quorate):
    meeting, first, _second = quorate
    item = meeting.items.get(application=first)
    client.force_login(member)
    client.post(_item_url(item), {"form": "vote", "choice": "reserve"})
    client.post(_item_url(item), {"form": "vote", "choice": "approve"})
    client.force_login(chair)
    client.post(_item_url(item), {"form": "vote", "choice": "abstain"})
    assert dict(PanelVote.objects.values_list("member__full_name", "choice")) == {
        "Member Mok": "approve", "Chair Chan": "abstain"}
    page = client.get(reverse("reviews:meeting", args=[meeting.pk])).content.decode()
    assert "Member Mok: Approve" in page and "Chair Chan: Abstain" in page


def test_without_the_quorum_nothing_is_decided(client, chair, meeting_round):
    application = make_application(meeting_round, state="reviewed", panel=chair)
    meeting = _convene(client, chair, meeting_round)
    response = client.post(_item_url(meeting.items.get()), {
        "form": "decide", "decision": "approve", "amount": "700000.00"})
    assert response.status_code == 400
    assert "not quorate" in response.content.decode()
    response = client.post(_item_url(meeting.items.get()), {
        "form": "decide", "decision": "approve", "amount": "700000.00", "confirm": "1"})
    assert _status(application) == "reviewed"
    assert not Grant.objects.exists()


def test_a_decision_is_checked_then_taken_through_the_decision_services(
        client, chair, quorate):
    meeting, first, _second = quorate
    item = meeting.items.get(application=first)
    client.force_login(chair)
    decision = {"form": "decide", "decision": "approve", "amount": "650000.00",
                "conditions": "Quarterly reports."}
    check = client.post(_item_url(item), decision)
    page = check.content.decode()
    assert "Check the panel" in page and "HK$650,000.00" in page and "Quarterly reports." in page
    assert 'name="confirm"' in page and 'name="change"' in page
    assert _status(first) == "reviewed"
    change = client.post(_item_url(item), {**decision, "change": "1"}).content.decode()
    assert "650000.00" in change and "Quarterly reports." in change
    assert _status(first) == "reviewed"

    response = client.post(_item_url(item), {**decision, "confirm": "1"})
    assert response.status_code == 302
    grant = Grant.objects.get(application=first)
    assert (grant.approved_amount, grant.conditions) == (Decimal("650000.00"),
                                                         "Quarterly reports.")
    assert _status(first) == "offered"
    item.refresh_from_db()
    assert (item.outcome, item.decided_amount, item.decided_by) == (
        "approve", Decimal("650000.00"), chair)
    assert AuditEvent.objects.filter(action="panel_meeting.decide").exists()


def test_a_refusal_at_confirmation_keeps_what_was_entered(client, chair, quorate):
    meeting, first, second = quorate
    client.force_login(chair)
    for application in (first, second):
        item = meeting.items.get(application=application)
        response = client.post(_item_url(item), {
            "form": "decide", "decision": "approve", "amount": "600000.00",
            "conditions": f"Terms for {application.reference}", "confirm": "1"})
    # The envelope (1,000,000) holds only the first approval.
    page = response.content.decode()
    assert response.status_code == 400
    assert "error-summary" in page and f"Terms for {second.reference}" in page
    assert _status(second) == "reviewed"
    assert meeting.items.get(application=second).outcome == ""


def test_the_chair_records_minutes_and_closes_after_a_check(client, chair, member, quorate):
    meeting, first, _second = quorate
    item = meeting.items.get(application=first)
    client.force_login(member)
    assert client.post(_item_url(item), {"form": "minutes",
                                         "minutes": "Not mine"}).status_code == 400
    client.force_login(chair)
    client.post(_item_url(item), {"form": "minutes", "minutes": "Strong team.",
                                  "recommended_amount": "600000.00"})
    item.refresh_from_db()
    assert (item.minutes, item.recommended_amount) == ("Strong team.", Decimal("600000.00"))

    close = reverse("reviews:meeting_close", args=[meeting.pk])
    page = client.post(close, {"minutes": "Met at 10:00."}).content.decode()
    assert "Close the meeting?" in page and "Items not decided" in page
    meeting.refresh_from_db()
    assert meeting.status == "open"
    client.force_login(member)
    assert client.post(close, {"minutes": "x", "confirm": "1"}).status_code == 400
    client.force_login(chair)
    client.post(close, {"minutes": "Met at 10:00.", "confirm": "1"})
    meeting.refresh_from_db()
    assert (meeting.status, meeting.minutes) == ("closed", "Met at 10:00.")
    response = client.post(_item_url(item), {"form": "vote", "choice": "approve"})
    assert response.status_code == 400 and not PanelVote.objects.exists()


def test_the_minutes_print_and_download_with_votes_and_decisions(client, chair, member,
                                                                  quorate):
    meeting, first, _second = quorate
    item = meeting.items.get(application=first)
    client.force_login(member)
    client.post(_item_url(item), {"form": "vote", "choice": "reject"})
    client.force_login(chair)
    client.post(_item_url(item), {"form": "minutes", "minutes": "Weak market case."})
    client.post(_item_url(item), {"form": "decide", "decision": "reject",
                                  "reason": "Weak market case", "confirm": "1"})
    url = reverse("reviews:meeting_minutes", args=[meeting.pk])
    printable = client.get(url).content.decode()
    assert "Weak market case." in printable and "data-print" in printable
    download = client.get(url, {"download": "txt"})
    assert download["Content-Disposition"].startswith("attachment;")
    text = download.content.decode()
    assert "Member Mok: Reject" in text and "Rejected" in text and first.reference in text


def test_an_officer_reads_the_meeting_but_takes_no_part(client, officer, quorate):
    meeting, first, _second = quorate
    client.force_login(officer)
    assert client.get(reverse("reviews:meeting", args=[meeting.pk])).status_code == 200
    item = meeting.items.get(application=first)
    assert client.post(_item_url(item), {"form": "vote", "choice": "approve"}).status_code == 403
    assert client.post(reverse("reviews:meetings", args=[meeting.round.code]),
                       {"title": "x", "held_on": "2026-03-02"}).status_code == 403


def test_several_items_are_decided_at_once_each_with_its_amount(client, chair, quorate):
    meeting, first, second = quorate
    client.force_login(chair)
    url = reverse("staff:bulk_decisions") + f"?meeting={meeting.pk}"
    rows = {f"decision-{first.pk}": "approve", f"amount-{first.pk}": "600000.00",
            f"conditions-{first.pk}": "Monthly reports.",
            f"decision-{second.pk}": "approve", f"amount-{second.pk}": "650000.00",
            f"conditions-{second.pk}": "Board seat."}
    check = client.post(url, rows).content.decode()
    assert "Check the decisions" in check and "Confirm 2 decisions" in check
    assert _status(first) == "reviewed"
    response = client.post(url, {**rows, "confirm": "1"})
    page = response.content.decode()
    # The second does not fit in what is left of the envelope: refused on its row, with
    # what was entered kept; the first is decided and recorded on the agenda.
    assert _status(first) == "offered" and _status(second) == "reviewed"
    assert "Envelope exhausted" in page and "Board seat." in page and "650000.00" in page
    assert meeting.items.get(application=first).outcome == "approve"
    assert Grant.objects.get().conditions == "Monthly reports."


def test_the_meeting_page_runs_a_fixed_number_of_queries(client, chair, member, quorate,
                                                         meeting_round):
    meeting, first, second = quorate
    client.force_login(chair)
    url = reverse("reviews:meeting", args=[meeting.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for application in [make_application(meeting_round, state="reviewed", panel=chair)
                        for _ in range(3)]:
        PanelAgendaItem.objects.create(
            meeting=meeting, application=application, position=10 + application.pk,
            requested_amount=application.requested_subsidy,
            recommended_amount=application.requested_subsidy)
        PanelVote.objects.create(item=meeting.items.get(application=application),
                                 member=member, choice="approve")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few) == 10, [q["sql"] for q in many.captured_queries]
