"""The closure page and the portfolio in Chromium, in English and Chinese: nothing critical
or serious for axe, nothing wider than a phone, and each used with the keyboard: a refused
closing puts the focus on the error summary, a termination with its reason closes the
grant; the portfolio filters by health."""

import pytest

from subsidy.closure.models import GrantClosure
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.browser.axe import fits_and_passes_axe, signed_in_tab
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_officer_closes_a_grant_with_the_keyboard(page, live_server, language):  # noqa: F811
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)
    tab = signed_in_tab(page, live_server, officer, language)
    tab.goto(f"{live_server.url}/grants/{grant.pk}/closure/")
    fits_and_passes_axe(tab)

    # Completing with three tranches unpaid is refused: the summary takes the focus.
    tab.locator("#id_outcome_0").focus()
    tab.keyboard.press("Space")
    with tab.expect_navigation():
        tab.keyboard.press("Enter")
    tab.wait_for_selector("#form-errors")
    assert tab.evaluate("document.activeElement.id") == "form-errors"
    fits_and_passes_axe(tab)

    tab.locator("#id_outcome_1").focus()
    tab.keyboard.press("Space")
    tab.locator("#id_reason").focus()
    tab.keyboard.type("The company was wound up.")
    tab.locator("button[type=submit]").last.focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")

    assert GrantClosure.objects.get(grant=grant).outcome == "terminated"
    assert tab.locator("#closure-outcome").inner_text() == (
        "Terminated" if language == "en" else "已終止")
    fits_and_passes_axe(tab)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_officer_filters_the_portfolio_by_health(page, live_server, language):  # noqa: F811
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)
    tab = signed_in_tab(page, live_server, officer, language)
    tab.goto(f"{live_server.url}/grants/portfolio/")
    fits_and_passes_axe(tab)
    assert tab.locator("#portfolio tbody tr[data-health=green]").count() == 1

    tab.locator("#id_health").select_option("red")
    with tab.expect_navigation():
        tab.locator("#id_q").press("Enter")

    assert "health=red" in tab.url
    assert tab.locator("#portfolio tbody tr[data-health]").count() == 0
    fits_and_passes_axe(tab)
