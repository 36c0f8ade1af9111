"""The AISC statements page and a grant's compute page in Chromium, in English and Chinese:
nothing critical or serious for axe, nothing wider than a phone; a malformed file is
refused with its line numbers, a good one is posted, and the grant's page draws its burn
chart."""

import pytest

from subsidy.compute.models import UsageStatement
from subsidy.platform.roles import Role
from tests.browser.axe import fits_and_passes_axe, signed_in_tab
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _upload(tab, reference, content):
    tab.fill("#id_reference", reference)
    tab.set_input_files("#id_file", files=[{"name": "statement.csv", "mimeType": "text/csv",
                                            "buffer": content}])
    with tab.expect_navigation():
        tab.locator("form.manage-box button[type=submit]").click()


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_an_officer_uploads_a_statement(page, live_server, language):  # noqa: F811
    grant = grant_with_allocation()
    tab = signed_in_tab(page, live_server, UserFactory(roles=[Role.PROGRAMME_OFFICER]), language)
    tab.goto(f"{live_server.url}/compute/statements/")
    fits_and_passes_axe(tab)

    _upload(tab, "AISC-BAD", csv_of(line(grant, 1), (grant.application.reference, "2026-11",
                                                     "H800", "-3", "0.00")))
    problems = tab.locator("#statement-problems").inner_text()
    assert ("Line 3:" if language == "en" else "第 3 行") in problems
    assert not UsageStatement.objects.exists()
    fits_and_passes_axe(tab)

    _upload(tab, "AISC-GOOD", csv_of(line(grant, 100)))
    assert UsageStatement.objects.get().reference == "AISC-GOOD"
    assert grant.application.reference in tab.locator("table").inner_text()
    fits_and_passes_axe(tab)


@pytest.mark.parametrize("language", ["en", "zh-hant"])
def test_the_company_sees_its_burn_chart(page, live_server, language):  # noqa: F811
    grant = grant_with_allocation()
    post_csv(csv_of(line(grant, 100, period="2026-10")), reference="S1")
    post_csv(csv_of(line(grant, 150, period="2026-11")), reference="S2")
    tab = signed_in_tab(page, live_server, grant.owner, language)
    tab.goto(f"{live_server.url}/compute/grants/{grant.pk}/")

    assert tab.locator("svg.burn-chart circle").count() == 2
    assert tab.locator("#forecast").inner_text()[:2] == "20"
    fits_and_passes_axe(tab)
