"""A new applicant, in a real browser, from sign-up to a submitted application and its
receipt; once in English and once in Traditional Chinese."""

import re

import pytest
from django.core import mail

from applicants.models import Application
from subsidy.notifications.models import Notification
from tests.browser.chromium import page  # noqa: F401 - the shared Chromium fixture
from tests.builders.applicants import pdf_bytes
from tests.factories import FundingRoundFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_up_and_verify(page, live_server, *, email, name, language_label):  # noqa: F811
    page.goto(f"{live_server.url}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=full_name]", name)
    page.select_option("#id_language", label=language_label)
    page.fill("input[name=password1]", "Harbour-View-2026!")
    page.fill("input[name=password2]", "Harbour-View-2026!")
    page.locator("form button[type=submit]").last.click()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.locator("form button[type=submit]").last.click()


def _save_next(tab):
    tab.locator("button[name=save_next]").click()


def _fill_rows(tab, prefix, rows):
    for index, row in enumerate(rows):
        if index:
            tab.locator("[data-add-row]").click()
        for name, value in row.items():
            selector = f"[name={prefix}-{index}-{name}]"
            if name == "category":
                tab.select_option(selector, value)
            else:
                tab.fill(selector, value)


def _apply(page, live_server, br_number):  # noqa: F811
    page.goto(f"{live_server.url}/applicant/")
    page.locator("a[href$='/applicant/companies/new/']").click()
    page.fill("[name=name_en]", "Harbour Speech AI Limited")
    page.fill("[name=br_number]", br_number)
    page.fill("[name=incorporation_date]", "2024-03-01")
    page.select_option("[name=size]", "1-9")
    page.select_option("[name=sector]", "nlp")
    page.locator("main form button[type=submit]").click()

    page.goto(f"{live_server.url}/applicant/")
    page.locator("a[href*='/applicant/applications/new/']").first.click()
    # The eligibility check before starting: the project's category is one the round funds.
    page.select_option("[name=category]", "nlp")
    page.locator("main form button[type=submit]").click()

    page.fill("[name=title]", "Cantonese speech recognition for clinics")
    page.fill("[name=summary]", "Transcribes Cantonese consultations.")
    assert page.locator("[name=category]").input_value() == "nlp"
    page.fill("[name=start_date]", "2027-01-01")
    page.fill("[name=end_date]", "2027-12-31")
    # The total eligible cost is worked out from the budget lines.
    assert page.locator("[name=total_eligible_cost]").get_attribute("readonly") is not None
    page.fill("[name=requested_subsidy]", "700000")
    _save_next(page)

    _fill_rows(page, "budget", [
        {"category": "compute", "description": "Training", "gpu_hours": "20000"},
        {"category": "personnel", "description": "Engineers", "quantity": "2",
         "unit_cost": "315000"},
    ])
    page.locator("[data-lines-total]").filter(has_text="1,000,000.00").wait_for()
    _save_next(page)
    _fill_rows(page, "milestones", [
        {"deliverable": "Data", "due_date": "2027-03-31", "share_percent": "40"},
        {"deliverable": "Pilot", "due_date": "2027-09-30", "share_percent": "60"},
    ])
    _save_next(page)
    _fill_rows(page, "team", [{"name": "Chan Tai Man", "role": "Lead engineer"}])
    _save_next(page)
    page.fill("[name=rai_safety]", "Red-team tests.")
    page.fill("[name=rai_human]", "Clinicians confirm transcripts.")
    page.fill("[name=rai_transparency]", "Model cards.")
    _save_next(page)

    page.select_option("[name=document_type]", "business_plan")
    page.set_input_files("[name=file]", files=[{"name": "plan.pdf", "mimeType":
                                                "application/pdf", "buffer": pdf_bytes()}])
    page.locator("main form[enctype] button[type=submit]").click()
    page.locator("a[href$='/edit/declarations/']").first.click()
    for name in ("declares_accurate", "declares_no_double_funding", "declares_compliance",
                 "privacy_notice"):
        page.check(f"[name={name}]")
    page.locator("button[name=save]").click()

    page.locator("a[href$='/submit/']").first.click()
    page.locator("form[data-submit-once] button[type=submit]").click()


def test_new_applicant_submits_an_application_in_english(page, live_server):  # noqa: F811
    FundingRoundFactory(code="2026R1", required_documents=["business_plan"])
    _sign_up_and_verify(page, live_server, email="portal.en@startup.hk", name="Winnie Ho",
                        language_label="English")
    _apply(page, live_server, "71234567")

    assert "AISS-2026R1-00001" in page.locator("main").inner_text()
    assert Application.objects.get().status == "submitted"
    receipt = Notification.objects.get(event="application_submitted")
    assert receipt.status == Notification.Status.SENT
    assert any("AISS-2026R1-00001" in message.subject for message in mail.outbox)


def test_new_applicant_submits_an_application_in_chinese(page, live_server):  # noqa: F811
    FundingRoundFactory(code="2026R2", required_documents=["business_plan"])
    page.goto(f"{live_server.url}/")
    # Choosing changes nothing until the button is pressed (WCAG 3.2.2, on input).
    page.select_option("#language-select", "zh-hant")
    assert page.locator("html").get_attribute("lang") == "en-HK"
    with page.expect_navigation():
        page.locator(".language-switcher button[type=submit]").click()
    _sign_up_and_verify(page, live_server, email="portal.zh@startup.hk", name="何慧欣",
                        language_label="繁體中文")
    _apply(page, live_server, "72345678")

    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert "AISS-2026R2-00001" in page.locator("main").inner_text()
    main = page.locator("main").inner_text()
    for english in ("Submitted", "Printable summary", "Project summary", "Budget"):
        assert english not in main
    receipt = Notification.objects.get(event="application_submitted")
    assert receipt.status == Notification.Status.SENT
    assert "已收到" in receipt.subject
