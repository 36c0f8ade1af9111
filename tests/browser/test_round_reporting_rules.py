"""A round's reporting rules in Chromium, in English and Chinese, at a phone's width: nothing
critical or serious for axe, nothing wider than the screen, and each change made with the
keyboard. A refused period keeps what was typed and puts the focus on the error summary;
the officer copies the default indicators, adds one, moves it up and retires another."""

import pytest

from subsidy.platform.roles import Role
from subsidy.progress.models import OutcomeIndicator
from tests.browser.axe import fits_and_passes_axe, signed_in_tab
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _press_enter_on(tab, selector):
    tab.locator(selector).focus()
    with tab.expect_navigation():
        tab.keyboard.press("Enter")


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_officer_sets_a_rounds_reporting_rules_with_the_keyboard(page, live_server,
                                                                     language):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    round_ = FundingRoundFactory()
    tab = signed_in_tab(page, live_server, officer, language)
    tab.goto(f"{live_server.url}/grants/rounds/{round_.code}/reporting/")
    fits_and_passes_axe(tab)

    # A reminder 120 days ahead is refused: the summary takes the focus, the input stays.
    tab.locator("#id_report_reminder_days").fill("120")
    tab.locator("#id_report_escalation_days").fill("5")
    _press_enter_on(tab, "#periods-form button[type=submit]")
    tab.wait_for_selector("#form-errors")
    assert tab.evaluate("document.activeElement.id") == "form-errors"
    assert tab.input_value("#id_report_reminder_days") == "120"
    assert tab.input_value("#id_report_escalation_days") == "5"
    fits_and_passes_axe(tab)
    tab.locator("#id_report_reminder_days").fill("30")
    _press_enter_on(tab, "#periods-form button[type=submit]")
    round_.refresh_from_db()
    assert (round_.report_reminder_days, round_.report_escalation_days) == (30, 5)

    _press_enter_on(tab, "button[name=defaults]")
    tab.locator("#id_name_en").fill("Patents filed")
    tab.locator("#id_name_zh").fill("已申請專利")
    _press_enter_on(tab, "#indicator-add-form button[type=submit]")
    patents = OutcomeIndicator.objects.get(round=round_, code="patents-filed")
    assert patents.position == 6
    fits_and_passes_axe(tab)

    _press_enter_on(tab, f"#indicator-{patents.pk} button[value=up]")
    models = OutcomeIndicator.objects.get(round=round_, code="models-trained")
    _press_enter_on(tab, f"#indicator-{models.pk} button[value=retire]")

    order = list(OutcomeIndicator.objects.filter(round=round_).order_by("position")
                 .values_list("code", flat=True))
    assert order[-2:] == ["patents-filed", "aisc-hours"]
    models.refresh_from_db()
    assert models.retired_at is not None
    assert tab.locator(f"#indicator-{models.pk}").inner_text().count(
        "Retired" if language == "en" else "已停用") == 1
    fits_and_passes_axe(tab)
