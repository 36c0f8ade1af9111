"""The owner a partner named, in a real browser: the confirmation page of the company the
partner registered has no serious accessibility finding and fits a phone, in English and in
Chinese, and its button registers the company."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from applicants.models import Organisation
from subsidy.api.services.keys import api_key_create
from subsidy.platform.roles import Role
from tests.browser.axe import serious_findings
from tests.builders.partners import registration_token
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOUNDER = "founder@kowloonvision.example.hk"
PHONE = {"width": 390, "height": 844}


def _registration_path(partner) -> str:
    key = api_key_create(actor=UserFactory(roles=[Role.ADMINISTRATOR]), name="Portal",
                         scopes=["applications:write"], partner=partner)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key.plaintext}")
    response = api.post("/api/v1/organisations/", {
        "name_en": "Kowloon Vision Limited", "name_zh": "九龍視覺有限公司",
        "br_number": "27182818", "incorporation_date": "2024-02-01", "size": "1-9",
        "sector": "computer_vision", "owner_email": FOUNDER}, format="json")
    assert response.status_code == 202
    return f"/applicant/registrations/{registration_token(FOUNDER)}/"


@pytest.mark.parametrize(("language", "button"), [
    ("en", "Register the company and allow HKU iDendron"),
    ("zh-hant", "登記公司並允許 HKU iDendron")])
def test_the_confirmation_page_is_accessible_and_registers_the_company(
        page, live_server, partner, language, button):
    path = _registration_path(partner)
    founder = UserFactory(email=FOUNDER)
    browser = Client()
    browser.force_login(founder)
    context = page.context.browser.new_context(bypass_csp=True, viewport=PHONE)
    context.add_cookies([
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        {"name": settings.SESSION_COOKIE_NAME,
         "value": browser.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url}])
    tab = context.new_page()
    try:
        tab.goto(f"{live_server.url}{path}")

        assert serious_findings(tab) == []
        assert tab.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        tab.get_by_role("button", name=button).click()
        tab.wait_for_url("**/companies/*/")
    finally:
        context.close()
    assert Organisation.objects.get().memberships.get().user == founder
