"""The reporting screens in a real browser: the owner finds the report due on the grant's
reporting page and sends it (the error summary takes the focus when a value is missing);
the officer finds it in the queue and returns it with comments. Each screen has no
serious accessibility finding (axe-core) and fits a phone."""

from datetime import date

import pytest

from applicants.models import Application
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.progress.models import OutcomeIndicator, ProgressReport
from tests.browser.axe import serious_findings
from tests.builders.accounts import FACTORY_PASSWORD
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", FACTORY_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def _check(page, problems):
    for finding in serious_findings(page):
        problems.append(f"{page.url}: {finding}")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        problems.append(f"{page.url}: {width}px wide at {PHONE['width']}px")


def test_the_owner_sends_a_report_and_the_officer_returns_it(page, live_server):
    page.set_default_timeout(60_000)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    Application.objects.filter(pk=grant.application_id).update(end_date=date(2027, 8, 31))
    grant_activate(actor=officer, grant=grant)
    context = page.context.browser.new_context(bypass_csp=True, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = []

    _sign_in(page, live_server, grant.owner.email)
    page.goto(f"{live_server.url}/finance/grants/{grant.pk}/")
    page.get_by_role("link", name="Progress reports and outcomes").click()
    _check(page, problems)
    page.get_by_role("link", name="1. Milestone 1").click()
    _check(page, problems)

    page.fill("#id_narrative", "The prototype runs on the AISC cluster.")
    indicators = OutcomeIndicator.objects.filter(round=grant.round).order_by("position")
    for indicator in indicators[1:]:  # the first left empty
        page.fill(f"#id_indicator-{indicator.pk}", "2")
    with page.expect_navigation():
        page.locator("#id_narrative").focus()
        page.get_by_role("button", name="Send to the programme officer").click()
    page.wait_for_selector("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    page.fill(f"#id_indicator-{indicators[0].pk}", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Send to the programme officer").click()
    assert "Your report has been sent to the programme officer." in page.content()
    assert ProgressReport.objects.get().status == "submitted"

    _sign_in(page, live_server, officer.email)
    page.goto(f"{live_server.url}/grants/reports/")
    _check(page, problems)
    page.get_by_role("link", name=grant.application.reference).click()
    page.get_by_label("Return it to the company for changes").check()
    page.fill("#id_comment", "Give the revenue figure.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert "The report has been returned to the company." in page.content()
    assert ProgressReport.objects.get().status == "returned"
    assert not problems, "\n".join(problems)
    context.close()
