"""Autosave in a real browser: text typed in one section survives a click on another
section, the page says when it was saved, leaving with unsaved changes asks first, and the
budget shows its total as the figures are typed."""

import pytest
from django.urls import reverse

from applicants.models import Application, Membership
from applicants.services.drafts import application_create_draft
from subsidy.platform.roles import Role
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture
from tests.builders.applicants import fill
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in_draft(page, live_server):  # noqa: F811
    owner = UserFactory(roles=[Role.APPLICANT], email="ada@harbour.example.hk")
    organisation = MembershipFactory(user=owner, role=Membership.Role.OWNER).organisation
    draft = application_create_draft(actor=owner, organisation=organisation,
                                      round_=FundingRoundFactory(code="2026R1"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", owner.email)
    page.fill("input[name=password]", "Correct-Horse-Battery-9")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/applicant/**")
    return draft


VERSION_ABOVE = "v => Number(document.querySelector(\"input[name='version']\").value) > v"


def _section(live_server, draft, name):
    return live_server.url + reverse("applicants:section", args=[draft.pk, name])


def test_text_typed_in_a_section_survives_a_click_on_another_section(page, live_server,  # noqa: F811
                                                                     signed_in_draft):
    page.goto(_section(live_server, signed_in_draft, "project"))
    page.get_by_label("Project title").press_sequentially("Cantonese clinic notes")
    page.locator("nav[aria-label='Sections of the application']").get_by_role(
        "link", name="Budget").click()
    page.wait_for_url("**/budget/")
    assert Application.objects.get(pk=signed_in_draft.pk).title == "Cantonese clinic notes"

    page.go_back()
    assert page.get_by_label("Project title").input_value() == "Cantonese clinic notes"


def test_a_pause_saves_and_shows_the_time(page, live_server, signed_in_draft):  # noqa: F811
    page.goto(_section(live_server, signed_in_draft, "project"))
    page.get_by_label("Project summary").press_sequentially("Speech to text for clinics.")
    page.wait_for_function(VERSION_ABOVE,
                           arg=signed_in_draft.version)
    assert page.locator("[data-save-status]").inner_text().startswith("Saved at ")
    saved = Application.objects.get(pk=signed_in_draft.pk)
    assert saved.summary == "Speech to text for clinics."
    # The next save names the new version, so it is not refused as someone else's.
    page.get_by_label("Project summary").press_sequentially(" More.")
    page.wait_for_function(VERSION_ABOVE,
                           arg=saved.version)
    assert Application.objects.get(pk=signed_in_draft.pk).summary.endswith("More.")


def test_leaving_with_changes_that_could_not_be_saved_asks_first(page, live_server,  # noqa: F811
                                                                  signed_in_draft):
    page.goto(_section(live_server, signed_in_draft, "project"))
    page.get_by_label("Requested subsidy").press_sequentially("-5")
    page.locator("[data-save-status]").filter(has_text="Not saved").wait_for()
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    with page.expect_event("dialog"):
        page.locator("nav[aria-label='Sections of the application']").get_by_role(
            "link", name="Budget").click()
    assert dialogs == ["confirm"]
    assert page.url.endswith("/project/")

    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["confirm", "beforeunload"]


def test_an_applicant_checks_the_answers_and_submits_with_the_keyboard_only(
        page, live_server):  # noqa: F811
    owner = UserFactory(roles=[Role.APPLICANT], email="kai@harbour.example.hk")
    organisation = MembershipFactory(user=owner, role=Membership.Role.OWNER).organisation
    draft = fill(owner, application_create_draft(
        actor=owner, organisation=organisation,
        round_=FundingRoundFactory(code="2026R2", required_documents=[])))
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=login]").focus()
    page.keyboard.type(owner.email)
    page.keyboard.press("Tab")
    page.keyboard.type("Correct-Horse-Battery-9")
    page.keyboard.press("Enter")
    page.wait_for_url("**/applicant/**")

    page.goto(live_server.url + reverse("applicants:submit", args=[draft.pk]))
    assert page.get_by_text(draft.title).first.is_visible()
    assert page.locator("a.change-link").count() == 7
    # Tab from the top of the page to the submit button, then press Enter.
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == (
                "Submit the application"):
            break
    else:
        raise AssertionError("the submit button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/applications/{draft.pk}/submitted/")
    assert Application.objects.get(pk=draft.pk).status == "submitted"


def test_typing_budget_figures_shows_the_total_eligible_cost(page, live_server,  # noqa: F811
                                                             signed_in_draft):
    # Each line's amount and the total come from the server, by the rule it saves with.
    page.goto(_section(live_server, signed_in_draft, "budget"))
    page.select_option("select[name='budget-0-category']", "personnel")
    page.fill("input[name='budget-0-quantity']", "2")
    page.locator("input[name='budget-0-unit_cost']").press_sequentially("315000")
    total = page.locator("[data-lines-total]")
    total.filter(has_text="HK$630,000.00").wait_for()
    assert "630,000.00" in page.locator("[data-line-amount]").first.inner_text()

    page.select_option("select[name='budget-0-category']", "compute")
    page.locator("input[name='budget-0-gpu_hours']").press_sequentially("1000")
    total.filter(has_text="HK$18,500.00").wait_for()
