"""The panel's meeting in Chromium: the chair convenes it from the ranking, records who is
present, votes, decides an item after its check page and closes the meeting with minutes,
by keyboard; the meeting and item pages have no serious axe finding in English or Chinese
and do not scroll sideways at a phone's 390 px."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from applicants.models import Application
from reviews.models import PanelMeeting, PanelVote
from reviews.services.meetings import meeting_vote_cast
from subsidy.platform.roles import Role
from tests.browser.axe import serious_findings
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture
from tests.builders.reviews import panel_declared
from tests.factories import RoundAssessmentSettingsFactory, UserFactory

from .decision_helpers import make_application, make_round

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _sign_in(context, live_server, user, language="en"):
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME,
         "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])


def _panel():
    round_ = make_round(code="2026B1", envelope=Decimal("5000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    RoundAssessmentSettingsFactory(round=round_, panel_quorum=2)
    chair = UserFactory(roles=[Role.PANEL_MEMBER], full_name="Chair Chan")
    member = UserFactory(roles=[Role.PANEL_MEMBER], full_name="Member Mok")
    applications = [make_application(round_, state="reviewed", panel=chair) for _ in range(2)]
    panel_declared(member, *applications)
    return round_, chair, member, applications


def test_the_chair_runs_the_meeting_by_keyboard(page, live_server):  # noqa: F811
    round_, chair, member, (first, _second) = _panel()
    _sign_in(page.context, live_server, chair)
    page.goto(f"{live_server.url}/staff/rounds/{round_.code}/ranking/")
    page.get_by_role("link", name="Panel meetings").click()
    page.get_by_label("Title of the meeting").fill("March panel")
    page.get_by_label("Date of the meeting").fill("2026-03-02")
    page.get_by_role("button", name="Convene the meeting").press("Enter")
    page.get_by_role("heading", name="March panel").wait_for()
    meeting = PanelMeeting.objects.get()

    page.get_by_label("Member Mok").check()
    page.get_by_role("button", name="Record attendance").press("Enter")
    page.get_by_text("Attendance recorded.").wait_for()
    item = meeting.items.get(application=first)
    meeting_vote_cast(actor=member, item=item, choice=PanelVote.Choice.APPROVE)

    page.get_by_role("link", name=first.reference).click()
    page.get_by_label("Approve", exact=True).first.check()
    page.get_by_role("button", name="Record my vote").press("Enter")
    page.get_by_text("Your vote is recorded.").wait_for()
    decide = page.locator("#decide")
    decide.get_by_label("Approve", exact=True).check()
    decide.get_by_label("Approved amount (HK$)").fill("600000.00")
    decide.get_by_label("Conditions of the offer").fill("Quarterly progress reports.")
    decide.get_by_role("button", name="Continue").press("Enter")
    page.get_by_role("heading", name="Check the panel's decision").wait_for()
    assert Application.objects.get(pk=first.pk).status == "reviewed"
    page.get_by_role("button", name="Confirm the decision").press("Enter")
    page.get_by_text(f"The decision on {first.reference} is recorded.").wait_for()
    assert Application.objects.get(pk=first.pk).status == "offered"
    row = page.get_by_role("row").filter(has_text=first.reference)
    assert "Approved" in row.inner_text() and "Member Mok: Approve" in row.inner_text()

    page.get_by_label("Minutes of the meeting").fill("Quorate throughout. One item deferred.")
    page.get_by_role("button", name="Close the meeting…").press("Enter")
    page.get_by_role("heading", name="Close the meeting?").wait_for()
    page.get_by_role("button", name="Close the meeting").press("Enter")
    page.get_by_text("The meeting is closed; its minutes are final.").wait_for()
    meeting.refresh_from_db()
    assert meeting.status == "closed"
    page.get_by_role("link", name="Minutes (to print)").click()
    page.get_by_text("Quorate throughout. One item deferred.").wait_for()


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_the_meeting_pages_are_accessible_and_fit_a_phone(page, live_server,  # noqa: F811
                                                          language):
    round_, chair, member, applications = _panel()
    client = Client()
    client.force_login(chair)
    client.post(f"/staff/rounds/{round_.code}/meetings/",
                {"title": "March panel", "held_on": "2026-03-02"})
    meeting = PanelMeeting.objects.get()
    client.post(f"/staff/meetings/{meeting.pk}/", {"members": [chair.pk, member.pk]})
    item = meeting.items.first()
    meeting_vote_cast(actor=member, item=item, choice=PanelVote.Choice.RESERVE)
    # axe is injected as an inline script, which the site's CSP rightly refuses.
    context = page.context.browser.new_context(bypass_csp=True, viewport=PHONE)
    phone = context.new_page()
    _sign_in(context, live_server, chair, language)
    problems = []
    for path in (f"/staff/rounds/{round_.code}/meetings/", f"/staff/meetings/{meeting.pk}/",
                 f"/staff/meetings/{meeting.pk}/items/{item.pk}/",
                 f"/staff/meetings/{meeting.pk}/minutes/",
                 f"/staff/decisions/?meeting={meeting.pk}"):
        response = phone.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        problems += [f"{path}: {finding}" for finding in serious_findings(phone)]
        width = phone.evaluate("() => document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            problems.append(f"{path}: {width}px wide at {PHONE['width']}px")
    # The check page before a decision, reached as the chair reaches it.
    phone.goto(f"{live_server.url}/staff/meetings/{meeting.pk}/items/{item.pk}/")
    phone.locator("#decide input[value=waitlist]").check()
    phone.locator("#decide button[type=submit]").click()
    phone.locator("button[name=confirm]").wait_for()
    problems += [f"check page: {finding}" for finding in serious_findings(phone)]
    context.close()
    assert not problems, "\n".join(problems)
