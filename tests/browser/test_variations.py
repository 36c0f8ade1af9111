"""A variation in a real browser: the owner asks for a change on the grant's page (a refusal
keeps what was typed, its summary takes the focus), then the officer finds it among the
variations waiting, reads the re-profiled tranches and approves it. axe-core finds nothing
serious on the request, the variation's page and the list."""

import pytest

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.variations.models import Variation
from tests.browser.axe import serious_findings
from tests.builders.accounts import FACTORY_PASSWORD
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", FACTORY_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state()


def test_the_owner_asks_and_the_officer_approves_seeing_the_new_tranches(page, live_server):
    # axe-core is injected as an inline script: this context lets it past the CSP.
    context = page.context.browser.new_context(bypass_csp=True, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)

    _sign_in(tab, live_server, grant.owner.email)
    tab.goto(f"{live_server.url}/finance/grants/{grant.pk}/")
    tab.locator("#grant-variations").click()
    tab.locator("#request-change").click()
    assert serious_findings(tab) == []
    tab.fill("#id_new_amount", "1000000.00")
    tab.fill("#id_reason", "The pilot needs fewer GPU-hours.")
    with tab.expect_navigation():
        tab.locator("#variation-form button[type=submit]").click()
    tab.wait_for_selector("#form-errors")
    assert tab.evaluate("document.activeElement.id") == "form-errors"
    assert tab.input_value("#id_reason") == "The pilot needs fewer GPU-hours."
    tab.fill("#id_new_amount", "900000.00")
    with tab.expect_navigation():
        tab.locator("#variation-form button[type=submit]").click()
    assert tab.locator("#variation-status").inner_text() == "Requested"
    variation = Variation.objects.get(grant=grant)

    _sign_in(tab, live_server, officer.email)
    tab.goto(f"{live_server.url}/variations/pending/")
    assert serious_findings(tab) == []
    tab.locator(f"a[href='/variations/{variation.pk}/']").click()
    preview = tab.locator("#reprofile-preview").inner_text()
    assert "HK$360,000.00" in preview
    assert serious_findings(tab) == []
    tab.locator("input[name=decision][value=approve]").check()
    tab.fill("#id_reason", "The smaller scope is agreed.")
    with tab.expect_navigation():
        tab.locator("#decision-form button[type=submit]").click()

    assert tab.locator("#variation-status").inner_text() == "Approved"
    grant.refresh_from_db()
    assert str(grant.approved_amount) == "900000.00"
    context.close()
