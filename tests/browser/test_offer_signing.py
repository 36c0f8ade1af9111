"""An owner signs the offer in a real browser, with the keyboard alone: the error summary
takes the focus when something is missing, the agreement opens as a PDF, and the signed
offer shows its signature on the application page."""

import hashlib

import pytest

from subsidy.agreements.models import GrantAgreement
from tests.builders.accounts import FACTORY_PASSWORD
from tests.builders.finance import make_offered_grant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", FACTORY_PASSWORD)
    page.locator("form button[type=submit]").last.click()


def _submit_with_enter(page):
    """Enter sends the form; signing asks for the password again unless the sign-in is
    fresh, and then carries on with what was sent."""
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if "reauthenticate" in page.url:
        page.fill("input[name=password]", FACTORY_PASSWORD)
        with page.expect_navigation():
            page.keyboard.press("Enter")


def test_the_owner_reads_and_signs_the_offer_with_the_keyboard(page, live_server):
    page.set_default_timeout(60_000)  # each page draws the PDF: slow on a busy machine
    grant = make_offered_grant(conditions="1. Sign the data-sharing agreement.")
    _sign_in(page, live_server, grant.owner.email)
    page.goto(f"{live_server.url}/applicant/applications/{grant.application_id}/")
    page.get_by_role("link", name="Read and sign the agreement").click()
    assert page.locator("h1").inner_text() == "Sign the offer letter and grant agreement"

    # The PDF behind the link is the document whose fingerprint the page shows.
    link = page.locator("#offer-document")
    pdf = page.request.get(f"{live_server.url}{link.get_attribute('href')}")
    assert pdf.headers["content-type"] == "application/pdf"
    shown = page.locator("#document-sha256").inner_text()
    assert hashlib.sha256(pdf.body()).hexdigest() == shown

    # Sent empty: the error summary takes the focus and links to the fields.
    page.locator("#id_signer_name").focus()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    _submit_with_enter(page)
    page.wait_for_selector("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"

    page.locator("#id_signer_name").focus()
    page.keyboard.type("Chan Tai Man")
    page.keyboard.press("Tab")
    page.keyboard.type("Director")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator("#id_confirm").is_checked()
    page.locator("#id_signer_title").focus()
    _submit_with_enter(page)

    assert page.url.endswith(f"/applicant/applications/{grant.application_id}/"), page.url
    assert "Signed by Chan Tai Man, Director" in page.content()
    agreement = GrantAgreement.objects.get(grant=grant)
    assert agreement.sha256 == shown
    assert agreement.ip_address == "127.0.0.1"
