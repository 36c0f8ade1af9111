"""The demo, walked through its web pages by the demo users: two companies apply (one
English-speaking, one Chinese-speaking), the officer screens (asking one of them for
information), assigns reviewers, the reviewers score, the panel approves with an offer, the
applicant accepts, claims the first tranche, and finance verifies, approves and pays it.

Then every person involved must find the right items in their inbox, and the email log the
right messages, each in the recipient's language, each once."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from applicants.models import Application, Organisation
from reviews.models import Assignment
from reviews.services.screening import RULES
from subsidy.devdata.applications import demo_application_draft
from subsidy.devdata.demo import DEMO_PASSWORD
from subsidy.finance.models import BankAccount, Claim, Disbursement
from subsidy.notifications.events import event_label
from subsidy.notifications.models import Notification
from subsidy.platform.models import User
from subsidy.scheme.models import FundingRound, Grant
from tests.builders.accounts import confirm_identity
from tests.builders.agreements import sign_from_page

pytestmark = pytest.mark.django_db(transaction=True)

CJK = re.compile(r"[\u4e00-\u9fff]")
APPLICANT_EN, APPLICANT_ZH = "applicant@demo.aiss.hk", "applicant.zh@demo.aiss.hk"
OFFICER, PANEL = "officer@demo.aiss.hk", "panel@demo.aiss.hk"
FINANCE, APPROVER = "finance@demo.aiss.hk", "approver@demo.aiss.hk"
TREASURY = "treasury@demo.aiss.hk"
REVIEWERS = ["reviewer1@demo.aiss.hk", "reviewer2@demo.aiss.hk", "reviewer3@demo.aiss.hk"]


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "private")}}}


def sign_in(client, email):
    client.logout()
    response = client.post(reverse("account_login"), {"login": email,
                                                       "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def post(client, name, *args, data=None, follow=False):
    response = client.post(reverse(name, args=args), data or {}, follow=follow)
    assert response.status_code in (200, 302), (name, response.status_code)
    if response.status_code == 200 and not follow:
        pytest.fail(f"{name} answered 200 (form errors?): {response.content.decode()[:3000]}")
    return response


def status(application) -> str:
    return Application.objects.get(pk=application.pk).status


def company_and_draft(client, email, name_en, br_number, title):
    """The applicant registers a company on its page; the draft is filled as the demo does."""
    sign_in(client, email)
    post(client, "applicants:organisation_create", data={
        "name_en": name_en, "br_number": br_number, "incorporation_date": "2024-03-01",
        "size": "1-9", "sector": "nlp"})
    organisation = Organisation.objects.get(br_number=br_number)
    return demo_application_draft(
        owner=User.objects.get(email=email), organisation=organisation,
        round_=FundingRound.objects.get(code="2026R1"),
        project={"title": title, "summary": "Speech and language models for clinics.",
                 "category": "nlp", "total_eligible_cost": "1000000.00",
                 "requested_subsidy": "600000.00"},
        gpu_hours=20000, personnel=(2, 315000), equipment=None)


def screening_form(outcome, **extra):
    return {**{f"rule-{code}": "confirm" for code in RULES}, "outcome": outcome, **extra}


def review_form(application, score):
    data = {"recommendation": "fund", "overall_comment": "Sound plan.", "submit": "1"}
    for criterion in application.round.rubric:
        data[f"score_{criterion['code']}"] = score
        data[f"comment_{criterion['code']}"] = "Convincing."
    return data


def test_the_demo_fills_every_inbox_and_the_email_log_in_each_recipients_language(
        client, settings):
    # The walk goes on the day the company enters its account: no cooling-off period here
    # (tests/subsidy/finance/test_payee_control.py covers it).
    settings.FINANCE_BANK_ACCOUNT_COOLING_OFF_HOURS = 0
    call_command("seed_demo", stdout=io.StringIO())
    users = {user.email: user for user in User.objects.all()}
    seeded = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    mail.outbox.clear()

    # Two companies apply: one English-speaking, one Chinese-speaking.
    english = company_and_draft(client, APPLICANT_EN, "Peak Speech Analytics Limited",
                                "71234567", "Meeting-minutes assistant for SMEs")
    post(client, "applicants:submit", english.pk)
    chinese = company_and_draft(client, APPLICANT_ZH, "Tai Po Clinical Voice Limited",
                                "72345678", "Clinic triage chatbot")
    post(client, "applicants:submit", chinese.pk)
    assert (status(english), status(chinese)) == ("submitted", "submitted")

    # The officer asks the English-speaking company for information; it answers.
    sign_in(client, OFFICER)
    post(client, "staff:screening_start", english.pk)
    post(client, "staff:screening", english.pk, data=screening_form(
        "request_information", question="Please upload the signed business plan.",
        sections=["documents"]))
    assert status(english) == "info_requested"
    sign_in(client, APPLICANT_EN)
    post(client, "applicants:resubmit", english.pk)
    assert status(english) == "submitted"

    # The Chinese-speaking company's application is screened and given three reviewers.
    sign_in(client, OFFICER)
    post(client, "staff:screening_start", chinese.pk)
    post(client, "staff:screening", chinese.pk, data=screening_form("pass_to_review"))
    for email in REVIEWERS:
        post(client, "reviews:application_assignments", chinese.pk,
             data={"reviewer": users[email].pk})
    assert status(chinese) == "in_review"

    for email in REVIEWERS:
        sign_in(client, email)
        assignment = Assignment.objects.get(application=chinese, reviewer=users[email])
        post(client, "reviews:declare", assignment.pk, data={"has_conflict": "no"})
        post(client, "reviews:assignment", assignment.pk, data=review_form(chinese, 4))

    sign_in(client, OFFICER)
    post(client, "staff:step", chinese.pk, "complete_review")
    assert status(chinese) == "reviewed"

    # The panel member declares no conflict and approves with an offer; the applicant
    # accepts; the officer starts the grant.
    sign_in(client, PANEL)
    post(client, "staff:panel_declare", chinese.pk, data={"has_conflict": "no"})
    post(client, "staff:decision", chinese.pk, data={
        "decision": "approve", "amount": "600000.00", "conditions": "Quarterly reports.",
        "confirm": "1"})
    # The applicant signs the agreement, which makes the panel's condition a condition
    # precedent: they send the evidence and the officer finds it met.
    sign_in(client, APPLICANT_ZH)
    assert sign_from_page(client, chinese, password=DEMO_PASSWORD, name="陳大文",
                          title="董事").status_code == 302
    grant = Grant.objects.get(application=chinese)
    assert grant.status == "accepted"
    condition = grant.conditions_precedent.get()
    post(client, "agreements:condition", condition.pk,
         data={"evidence_text": "首份季度報告已提交。"})
    sign_in(client, OFFICER)
    post(client, "agreements:condition_check", condition.pk, data={"decision": "met"})
    post(client, "finance:grant_activate", grant.pk)

    # The applicant claims the first tranche; finance verifies, approves and pays it.
    sign_in(client, APPLICANT_ZH)
    confirm_identity(client, DEMO_PASSWORD)  # the payee account asks for the password again
    post(client, "finance:bank_account", chinese.organisation_id, data={
        "bank_name": "Hang Seng Bank", "account_name": "Tai Po Clinical Voice Limited",
        "account_number": "024-123-456789-001"})
    tranche = grant.tranches.get(number=1)
    post(client, "finance:tranche_claim", grant.pk, 1, data={
        "amount": str(tranche.amount), "narrative": "Data collected and labelled."})
    claim = Claim.objects.get(tranche=tranche)
    sign_in(client, OFFICER)
    post(client, "finance:claim_verify", claim.pk)
    sign_in(client, APPROVER)
    post(client, "finance:bank_account_verify",
         BankAccount.objects.get(organisation_id=chinese.organisation_id).pk)
    sign_in(client, FINANCE)
    post(client, "finance:prepare", claim.pk)
    payment = Disbursement.objects.get(claim=claim)
    sign_in(client, APPROVER)
    post(client, "finance:approve", payment.pk)
    sign_in(client, FINANCE)
    post(client, "finance:batch_new", data={"payment": [payment.pk]})
    sign_in(client, TREASURY)
    post(client, "finance:batch_release", Disbursement.objects.get(pk=payment.pk).batch_id,
         data={"execution_date": timezone.localdate().isoformat()})
    post(client, "finance:paid", payment.pk, data={
        "bank_reference": "HSBC-WALK-1", "value_date": timezone.localdate().isoformat()})
    assert Disbursement.objects.get(pk=payment.pk).status == "paid"

    # --- Every inbox ----------------------------------------------------------------------
    expected = {
        APPLICANT_EN: ["application_submitted", "information_requested"],
        APPLICANT_ZH: ["application_submitted", "application_approved",
                       "bank_account_changed", "claim_received",
                       "claim_approved", "claim_paid"],
        OFFICER: ["application_received", "application_received", "application_resubmitted",
                  "reviews_complete", "claim_submitted_staff"],
        **{email: ["reviewer_assigned"] for email in REVIEWERS},
        PANEL: ["application_ready_for_decision"],
        FINANCE: ["bank_account_changed_staff", "claim_verified"],
        APPROVER: ["bank_account_changed_staff", "payment_prepared"],
        TREASURY: ["bank_account_changed_staff", "claim_verified"],
    }
    walked = Notification.objects.filter(pk__gt=seeded)
    for email, events in expected.items():
        got = list(walked.filter(recipient=users[email]).order_by("pk")
                   .values_list("event", flat=True))
        assert got == events, email
    assert set(walked.values_list("recipient__email", flat=True)) == set(expected)

    for email, events in expected.items():
        page = sign_in(client, email).get(reverse("notifications:inbox")).content.decode()
        with translation.override(users[email].language):
            for event in events:
                assert escape(str(event_label(event))) in page, (email, event)

    # --- The email log: one message per notification, in the recipient's language --------
    assert not walked.exclude(status=Notification.Status.SENT).exists()
    sent = {}
    for message in mail.outbox:
        (address,) = message.to
        sent.setdefault(address, []).append(message)
    for email, events in expected.items():
        messages = sent.pop(email)
        assert len(messages) == len(events), email
        for message in messages:
            html = message.alternatives[0][0]
            if users[email].language == "zh-hant":
                assert CJK.search(message.subject) and CJK.search(message.body), message.subject
            else:
                assert not CJK.search(message.subject + message.body), message.subject
            assert users[email].get_full_name() in message.body
            assert "http" in html
    assert sent == {}

    zh_subjects = [m.subject for m in mail.outbox if m.to == [APPLICANT_ZH]]
    reference = Application.objects.get(pk=chinese.pk).reference
    assert f"申請 {reference} 獲批：資助要約 HK$600,000.00" in zh_subjects
    reviewer2 = [m for m in mail.outbox if m.to == ["reviewer2@demo.aiss.hk"]]
    assert "/reviews/assignments/" in reviewer2[0].body
