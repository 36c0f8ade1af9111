from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import Application, InformationRequest
from reviews.services.screening import (
    RULES,
    screening_checks,
    screening_conclude,
    screening_history,
    screening_start,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound
from tests.factories import UserFactory

from .decision_helpers import make_application, make_round, use_private_storage


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def round_(db):
    return make_round(code="2026R1")


@pytest.fixture
def screening(round_, officer):
    return make_application(round_, state="screening", officer=officer)


def confirm_all(**overrides) -> dict:
    judgements = {code: {"confirmed": True, "reason": ""} for code in RULES}
    judgements.update(overrides)
    return judgements


def results(application) -> dict:
    return {check.code: check.passed for check in screening_checks(application)}


def _status(application) -> str:
    return Application.objects.get(pk=application.pk).status


# --- Automatic results ------------------------------------------------------------------------

def test_a_complete_application_meets_every_rule(screening):
    assert results(screening) == dict.fromkeys(RULES, True)


def test_a_document_the_round_now_requires_is_found_missing(round_, screening):
    FundingRound.objects.filter(pk=round_.pk).update(
        required_documents=["business_plan", "br_certificate"])
    screening.round.refresh_from_db()
    checks = {c.code: c for c in screening_checks(screening)}
    assert checks["required_documents"].passed is False
    assert checks["required_documents"].findings == [
        "Upload the required document: Business Registration certificate."]


def test_a_company_sector_the_round_does_not_fund_is_found(round_, officer):
    application = make_application(round_, state="screening", officer=officer,
                                   sector="defi")
    checks = {c.code: c for c in screening_checks(application)}
    assert checks["category_eligible"].passed is False
    assert "DeFi" in checks["category_eligible"].findings[0]


def test_a_request_above_the_ratio_cap_is_found(round_, screening):
    FundingRound.objects.filter(pk=round_.pk).update(max_ratio_percent=Decimal("50"))
    screening.round.refresh_from_db()
    assert results(screening)["subsidy_caps"] is False


def test_a_company_incorporated_after_submission_is_found(screening):
    organisation = screening.organisation
    organisation.incorporation_date = timezone.now().date() + timedelta(days=3)
    organisation.save()
    assert results(screening)["company_registration"] is False


# --- Outcomes -----------------------------------------------------------------------------------

def test_starting_screening_moves_a_submitted_application(round_, officer):
    application = make_application(round_, officer=officer)
    screening_start(actor=officer, application=application)
    assert _status(application) == "screening"


def test_passing_to_review_records_every_judgement(officer, screening):
    screening_conclude(actor=officer, application=screening, judgements=confirm_all(),
                       outcome="pass_to_review")
    assert _status(screening) == "in_review"
    record = screening_history(screening).get()
    assert record.actor == officer
    assert record.after["outcome"] == "pass_to_review"
    assert {row["code"] for row in record.after["rules"]} == set(RULES)
    assert all(row["result"] and not row["overridden"] for row in record.after["rules"])


def test_a_rule_not_met_stops_the_pass_to_review(round_, officer, screening):
    FundingRound.objects.filter(pk=round_.pk).update(max_ratio_percent=Decimal("50"))
    with pytest.raises(ProblemsError, match="is not met") as refused:
        screening_conclude(actor=officer, application=screening, judgements=confirm_all(),
                           outcome="pass_to_review")
    assert [f for f, _ in refused.value.problems] == ["rule-subsidy_caps"]
    assert _status(screening) == "screening"
    assert not screening_history(screening).exists()


def test_an_override_with_a_reason_lets_the_application_pass(round_, officer, screening):
    FundingRound.objects.filter(pk=round_.pk).update(max_ratio_percent=Decimal("50"))
    judgements = confirm_all(subsidy_caps={"confirmed": False,
                                           "reason": "The cap changed after submission."})
    screening_conclude(actor=officer, application=screening, judgements=judgements,
                       outcome="pass_to_review")
    assert _status(screening) == "in_review"
    row = next(r for r in screening_history(screening).get().after["rules"]
               if r["code"] == "subsidy_caps")
    assert row == {"code": "subsidy_caps", "automatic": False, "overridden": True,
                   "result": True, "reason": "The cap changed after submission.",
                   "findings": row["findings"]}


def test_an_override_needs_a_reason(officer, screening):
    judgements = confirm_all(budget_total={"confirmed": False, "reason": " "})
    with pytest.raises(ProblemsError, match="Give the reason for overriding"):
        screening_conclude(actor=officer, application=screening, judgements=judgements,
                           outcome="pass_to_review")
    assert _status(screening) == "screening"


def test_every_rule_must_be_judged(officer, screening):
    judgements = confirm_all()
    del judgements["round_open"]
    with pytest.raises(ProblemsError, match="Confirm or override"):
        screening_conclude(actor=officer, application=screening, judgements=judgements,
                           outcome="pass_to_review")


def test_ineligible_needs_the_reason_for_the_applicant(officer, screening):
    with pytest.raises(ProblemsError, match="Give the reason the application is ineligible"):
        screening_conclude(actor=officer, application=screening, judgements=confirm_all(),
                           outcome="mark_ineligible")
    assert _status(screening) == "screening"
    assert not screening_history(screening).exists()


def test_the_applicant_is_told_why_the_application_is_ineligible(officer, screening):
    screening_conclude(actor=officer, application=screening, judgements=confirm_all(),
                       outcome="mark_ineligible", reason="The company is not registered in HK.")
    assert _status(screening) == "ineligible"
    notice = Notification.objects.get(recipient=screening.owner,
                                      event="application_ineligible")
    assert notice.context["reason"] == "The company is not registered in HK."
    assert notice.context["public_status"] == "Not eligible"


def test_a_request_for_information_reopens_the_named_sections(officer, screening):
    due = timezone.now() + timedelta(days=7)
    screening_conclude(actor=officer, application=screening, judgements=confirm_all(),
                       outcome="request_information", question="Send the audited accounts.",
                       sections=["documents"], due_at=due)
    assert _status(screening) == "info_requested"
    request = InformationRequest.objects.get(application=screening)
    assert (request.question, request.sections, request.due_at) == (
        "Send the audited accounts.", ["documents"], due)
    assert Notification.objects.filter(recipient=screening.owner,
                                       event="information_requested").exists()


def test_only_a_programme_officer_screens(screening):
    panel = UserFactory(roles=[Role.PANEL_MEMBER])
    with pytest.raises(PermissionDeniedError):
        screening_conclude(actor=panel, application=screening, judgements=confirm_all(),
                           outcome="pass_to_review")
    assert _status(screening) == "screening"


def test_screening_an_application_not_in_screening_is_refused(round_, officer):
    application = make_application(round_, officer=officer)
    with pytest.raises(DomainError, match="not possible while the application is “Submitted”"):
        screening_conclude(actor=officer, application=application, judgements=confirm_all(),
                           outcome="pass_to_review")
    assert _status(application) == "submitted"
    assert not screening_history(application).exists()
