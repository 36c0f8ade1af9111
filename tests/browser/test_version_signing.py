"""An owner signs a varied version of the grant's agreement in a real browser: from the
grant's page to the signing page, an empty form's error summary takes the focus, the PDF is
the document whose fingerprint the page shows, and the signed version shows its signature.
axe-core finds nothing serious on the signing page."""

import hashlib
from decimal import Decimal

import pytest

from subsidy.agreements.models import GrantAgreement
from subsidy.platform.roles import Role
from subsidy.variations.services.decisions import variation_approve
from subsidy.variations.services.proposal import VariationInput
from subsidy.variations.services.requests import variation_request
from tests.browser.axe import serious_findings
from tests.builders.accounts import FACTORY_PASSWORD
from tests.builders.variations import active_grant
from tests.factories import FundingRoundFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(tab):
    """Send the form; signing asks for the password again unless the sign-in is fresh."""
    with tab.expect_navigation():
        tab.locator("form.manage-box button[type=submit]").click()
    if "reauthenticate" in tab.url:
        tab.fill("input[name=password]", FACTORY_PASSWORD)
        with tab.expect_navigation():
            tab.keyboard.press("Enter")


def test_the_owner_signs_the_varied_agreement_from_the_grant_page(page, live_server):
    # axe-core is injected as an inline script: this context lets it past the CSP.
    context = page.context.browser.new_context(bypass_csp=True, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = active_grant(FundingRoundFactory(envelope=Decimal("3000000.00"),
                                             max_subsidy_per_project=Decimal("2000000.00")),
                         officer)
    variation = variation_request(actor=grant.owner, grant=grant, data=VariationInput(
        reason="The data licence costs less.", new_amount=Decimal("900000.00")))
    variation_approve(actor=officer, variation=variation, reason="Smaller scope.")
    version = GrantAgreement.objects.get(grant=grant, signed_at__isnull=True).version

    tab.goto(f"{live_server.url}/accounts/login/")
    tab.fill("input[name=login]", grant.owner.email)
    tab.fill("input[name=password]", FACTORY_PASSWORD)
    tab.locator("form button[type=submit]").last.click()
    tab.wait_for_load_state()
    tab.goto(f"{live_server.url}/finance/grants/{grant.pk}/")
    tab.get_by_role("link", name=f"Read and sign version {version}").click()
    assert tab.locator("h1").inner_text() == f"Sign version {version} of the grant agreement"
    assert serious_findings(tab) == []

    link = tab.locator("#version-document")
    pdf = tab.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert pdf.headers["content-type"] == "application/pdf"
    shown = tab.locator("#document-sha256").inner_text()
    assert hashlib.sha256(pdf.body()).hexdigest() == shown

    tab.fill("#id_signer_name", "")
    _submit(tab)
    tab.wait_for_selector("#form-errors")
    assert tab.evaluate("document.activeElement.id") == "form-errors"

    tab.fill("#id_signer_name", "Chan Tai Man")
    tab.fill("#id_signer_title", "Director")
    tab.check("#id_confirm")
    _submit(tab)

    assert tab.url.endswith(f"/finance/grants/{grant.pk}/"), tab.url
    assert "Signed by Chan Tai Man, Director" in tab.content()
    agreement = GrantAgreement.objects.get(grant=grant, version=version)
    assert agreement.sha256 == shown and agreement.signed_by == grant.owner
    context.close()
