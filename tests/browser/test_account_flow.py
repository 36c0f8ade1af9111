import re

import pytest
from django.core import mail

from subsidy.notifications.models import Notification
from subsidy.platform.models import User, UserRole
from subsidy.platform.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _activate_url(message) -> str:
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def _sign_up(page, live_server, *, email, name, language_label):
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=full_name]", name)
    page.select_option("#id_language", label=language_label)
    page.fill("input[name=password1]", "Harbour-View-2026!")
    page.fill("input[name=password2]", "Harbour-View-2026!")
    page.locator("form button[type=submit]").last.click()


def test_new_applicant_signs_up_verifies_email_and_reaches_dashboard(page, live_server):
    _sign_up(page, live_server, email="founder@startup.hk", name="Winnie Ho",
             language_label="English")

    assert "/accounts/confirm-email/" in page.url
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["founder@startup.hk"]
    assert "Confirm your email address" in message.subject
    assert Notification.objects.get().status == Notification.Status.SENT

    page.goto(_activate_url(message))
    page.locator("form button[type=submit]").last.click()

    assert page.url.endswith("/applicant/")
    assert page.locator("h1").inner_text() == "My applications"
    user = User.objects.get(email="founder@startup.hk")
    assert UserRole.objects.filter(user=user, role=Role.APPLICANT).exists()


def test_new_applicant_signs_up_in_traditional_chinese(page, live_server):
    page.goto(f"{live_server.url}/")
    # Choosing changes nothing until the button is pressed (WCAG 3.2.2, on input).
    page.select_option("#language-select", "zh-hant")
    assert page.locator("html").get_attribute("lang") == "en-HK"
    with page.expect_navigation():
        page.locator(".language-switcher button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"

    _sign_up(page, live_server, email="founder.zh@startup.hk", name="何慧欣",
             language_label="繁體中文")

    message = mail.outbox[0]
    assert "電郵" in message.subject
    assert "何慧欣" in message.body
    page.goto(_activate_url(message))
    page.locator("form button[type=submit]").last.click()
    assert page.url.endswith("/applicant/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert "My applications" not in page.locator("h1").inner_text()
