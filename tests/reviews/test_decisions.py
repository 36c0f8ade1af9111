from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from applicants.errors import ProblemsError
from applicants.models import Application, StatusChange
from applicants.workflow import application_transition
from reviews.services.decisions import (
    BulkRow,
    application_approve,
    application_reject,
    application_waitlist,
    decisions_bulk,
    offers_lapse_expired,
)
from subsidy.notifications.models import Notification
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme import rules as scheme_rules
from subsidy.scheme.ledger import round_committed
from subsidy.scheme.models import FundingRound, Grant
from subsidy.scheme.services.offers import grant_terms_problems
from subsidy.scheme.services.rounds import round_update
from tests.builders.agreements import sign_offer
from tests.factories import UserFactory

from .decision_helpers import (
    REQUESTED,
    make_application,
    make_offer,
    make_round,
    use_private_storage,
)


@pytest.fixture(autouse=True)
def _storage(settings, tmp_path):
    use_private_storage(settings, tmp_path)


@pytest.fixture
def panel(db):
    return UserFactory(roles=[Role.PANEL_MEMBER])


@pytest.fixture
def round_(db):
    return make_round(code="2026R1", envelope=Decimal("10000000.00"))


@pytest.fixture
def reviewed(round_, panel):
    return make_application(round_, state="reviewed", panel=panel)


def _status(application) -> str:
    return Application.objects.get(pk=application.pk).status


# --- Approval and the offer --------------------------------------------------------------------

def test_approval_creates_the_offer_and_commits_the_amount(panel, round_, reviewed):
    grant = application_approve(actor=panel, application=reviewed, amount=Decimal("600000"),
                                conditions="Quarterly progress reports.")
    assert _status(reviewed) == "offered"
    assert (grant.status, grant.approved_amount, grant.approved_ratio_percent) == (
        "offered", Decimal("600000.00"), Decimal("60.00"))
    assert grant.conditions == "Quarterly progress reports."
    assert grant.decided_by == panel
    assert round_committed(round_id=round_.pk) == Decimal("600000.00")


def test_the_offer_expires_after_the_offer_validity(monkeypatch, panel, reviewed):
    monkeypatch.setattr(scheme_rules, "OFFER_VALIDITY_DAYS", 10)
    grant = application_approve(actor=panel, application=reviewed, amount=REQUESTED)
    left = grant.offer_expires_at - timezone.now()
    assert timedelta(days=9, hours=23) < left <= timedelta(days=10)


def test_approval_and_offer_are_recorded_in_history_and_audit(panel, reviewed):
    grant = application_approve(actor=panel, application=reviewed, amount=REQUESTED)
    steps = list(StatusChange.objects.filter(application=reviewed)
                 .values_list("transition", flat=True))
    assert steps[-2:] == ["approve", "make_offer"]
    actions = set(AuditEvent.objects.filter(object_id=str(grant.pk), object_type="subsidy.grant")
                  .values_list("action", flat=True))
    assert actions == {"grant.approve", "grant.offer"}


def test_the_applicant_is_told_of_the_offer_with_amount_and_expiry(panel, reviewed):
    grant = application_approve(actor=panel, application=reviewed, amount=REQUESTED,
                                conditions="Quarterly progress reports.")
    notice = Notification.objects.get(recipient=reviewed.owner,
                                      event="application_approved")
    assert notice.context["amount"] == "HK$700,000.00"
    assert notice.context["expires_at"] == (
        timezone.localtime(grant.offer_expires_at).strftime("%Y-%m-%d %H:%M"))
    assert notice.context["conditions"] == "Quarterly progress reports."
    assert notice.context["public_status"] == "Offer made"


def test_amount_above_the_request_is_refused_with_the_reason(panel, reviewed):
    with pytest.raises(ProblemsError, match="more than the HK\\$700,000.00 requested"):
        application_approve(actor=panel, application=reviewed, amount=Decimal("700000.01"))
    assert _status(reviewed) == "reviewed"
    assert not Grant.objects.exists()


def test_amount_above_the_round_maximum_is_refused(panel, round_, reviewed):
    FundingRound.objects.filter(pk=round_.pk).update(max_subsidy_per_project=Decimal("500000"))
    with pytest.raises(ProblemsError, match="above the round's maximum of HK\\$500,000.00"):
        application_approve(actor=panel, application=reviewed, amount=Decimal("600000"))
    assert not Grant.objects.exists()


def test_ratio_above_the_round_cap_needs_an_exceptional_justification(panel, round_, reviewed):
    FundingRound.objects.filter(pk=round_.pk).update(max_ratio_percent=Decimal("50"))
    with pytest.raises(ProblemsError, match="above the round's cap of 50%") as refused:
        application_approve(actor=panel, application=reviewed, amount=Decimal("600000"))
    assert refused.value.problems[0][0] == "exceptional_justification"
    assert _status(reviewed) == "reviewed"


def test_justified_exceptional_case_may_pass_the_round_cap(panel, round_, reviewed):
    FundingRound.objects.filter(pk=round_.pk).update(max_ratio_percent=Decimal("50"))
    grant = application_approve(actor=panel, application=reviewed, amount=Decimal("600000"),
                                exceptional_justification="Unique public-health benefit.")
    assert grant.exceptional_case is True
    assert grant.exceptional_justification == "Unique public-health benefit."


def test_no_justification_allows_more_than_the_exceptional_cap(round_):
    application = Application(round=round_, requested_subsidy=Decimal("950000"),
                              total_eligible_cost=Decimal("1000000"))
    problems = grant_terms_problems(application=application, amount=Decimal("950000"),
                                    exceptional_justification="Strategic.")
    assert problems == [("amount", "The approved amount is 95.00% of the eligible cost; even "
                                   "an exceptional case allows at most 90% (HK$900,000.00).")]


def test_amount_with_fractions_of_a_cent_is_refused(round_):
    application = Application(round=round_, requested_subsidy=Decimal("700000"),
                              total_eligible_cost=Decimal("1000000"))
    problems = grant_terms_problems(application=application, amount=Decimal("100.001"))
    assert [field for field, _ in problems] == ["amount"]


def test_approval_that_does_not_fit_the_envelope_is_refused(panel):
    round_ = make_round(code="2026R2", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    first = make_application(round_, state="reviewed", panel=panel)
    second = make_application(round_, state="reviewed", panel=panel)
    application_approve(actor=panel, application=first, amount=REQUESTED)
    with pytest.raises(DomainError) as refused:
        application_approve(actor=panel, application=second, amount=REQUESTED)
    assert refused.value.code == "envelope_exhausted"
    assert "HK$300,000.00 left" in str(refused.value.message)
    assert _status(second) == "reviewed"
    assert round_committed(round_id=round_.pk) == REQUESTED


def test_only_a_panel_member_may_approve(round_, reviewed):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    with pytest.raises(PermissionDeniedError):
        application_approve(actor=officer, application=reviewed, amount=REQUESTED)
    assert not Grant.objects.exists()


def test_approving_an_application_not_yet_reviewed_is_refused_and_changes_nothing(panel,
                                                                                  round_):
    application = make_application(round_, state="in_review", panel=panel)
    with pytest.raises(DomainError, match="not possible while the application is “In review”"):
        application_approve(actor=panel, application=application, amount=REQUESTED)
    assert _status(application) == "in_review"
    assert not Grant.objects.exists()


# --- Rejection and the reserve list -----------------------------------------------------------

def test_rejection_needs_a_reason(panel, reviewed):
    with pytest.raises(ProblemsError, match="Give the reason for the rejection"):
        application_reject(actor=panel, application=reviewed, reason=" ")
    assert _status(reviewed) == "reviewed"


def test_the_applicant_sees_the_reason_for_the_rejection(panel, reviewed):
    application_reject(actor=panel, application=reviewed, reason="Weak market evidence.")
    assert _status(reviewed) == "rejected"
    notice = Notification.objects.get(recipient=reviewed.owner,
                                      event="application_rejected")
    assert notice.context["reason"] == "Weak market evidence."
    assert notice.context["public_status"] == "Not successful"


def test_panel_members_are_told_when_every_review_is_in(round_):
    panel = UserFactory(roles=[Role.PANEL_MEMBER], language="zh-hant")
    application = make_application(round_, state="in_review", panel=panel)

    application_transition(actor=None, application=application,
                           transition_name="complete_review")

    notice = Notification.objects.get(event="application_ready_for_decision")
    assert (notice.recipient, notice.language) == (panel, "zh-hant")
    assert notice.context["url"] == f"/staff/applications/{application.pk}/decision/"


def test_the_applicant_is_told_the_application_is_on_the_reserve_list(panel, reviewed):
    application_waitlist(actor=panel, application=reviewed)
    notice = Notification.objects.get(recipient=reviewed.owner,
                                      event="application_waitlisted")
    assert notice.context["public_status"] == "On the reserve list"


def test_a_waitlisted_application_is_approved_once_a_declined_offer_frees_the_money(panel):
    round_ = make_round(code="2026R3", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    first = make_offer(round_, panel=panel)
    second = make_application(round_, state="reviewed", panel=panel)
    application_waitlist(actor=panel, application=second)
    with pytest.raises(DomainError, match="Envelope exhausted"):
        application_approve(actor=panel, application=second, amount=REQUESTED)
    application_transition(actor=first.owner, application=first, transition_name="decline_offer")
    application_approve(actor=panel, application=second, amount=REQUESTED)
    assert _status(second) == "offered"
    assert round_committed(round_id=round_.pk) == REQUESTED


# --- The applicant's answer and lapsing -------------------------------------------------------

def test_accepting_within_the_expiry_accepts_the_grant(panel, round_):
    offered = make_offer(round_, panel=panel)
    sign_offer(offered.owner, offered)
    grant = Grant.objects.get()
    assert (offered.status, grant.status) == ("accepted", "accepted")
    assert grant.responded_at is not None
    assert round_committed(round_id=round_.pk) == REQUESTED


def test_an_expired_offer_cannot_be_accepted(panel, round_):
    offered = make_offer(round_, panel=panel)
    Grant.objects.update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ProblemsError, match="can no longer be accepted"):
        sign_offer(offered.owner, offered)
    assert _status(offered) == "offered"


def test_declining_releases_the_commitment(panel, round_):
    offered = make_offer(round_, panel=panel)
    application_transition(actor=offered.owner, application=offered,
                           transition_name="decline_offer")
    assert Grant.objects.get().status == "declined"
    assert round_committed(round_id=round_.pk) == 0


def test_programme_officers_are_told_when_an_offer_is_declined(panel, round_):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER], language="zh-hant")
    offered = make_offer(round_, panel=panel)
    application_transition(actor=offered.owner, application=offered,
                           transition_name="decline_offer")
    notice = Notification.objects.get(event="offer_declined", recipient=officer)
    assert notice.language == "zh-hant"
    assert notice.context["amount"] == "HK$700,000.00"
    assert notice.context["url"] == f"/staff/applications/{offered.pk}/"
    assert not Notification.objects.filter(event="offer_declined",
                                           recipient=offered.owner).exists()


def test_expired_offers_lapse_and_release_their_commitment(panel, round_):
    offered = make_offer(round_, panel=panel)
    Grant.objects.update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    assert offers_lapse_expired() == 1
    assert (_status(offered), Grant.objects.get().status) == ("lapsed", "lapsed")
    assert round_committed(round_id=round_.pk) == 0
    change = StatusChange.objects.filter(application=offered).last()
    assert (change.transition, change.actor) == ("lapse_offer", None)
    notice = Notification.objects.get(recipient=offered.owner, event="offer_lapsed")
    assert notice.context["amount"] == "HK$700,000.00"


def test_lapsing_again_changes_nothing(panel, round_):
    make_offer(round_, panel=panel)
    Grant.objects.update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    offers_lapse_expired()
    count = AuditEvent.objects.count()
    assert offers_lapse_expired() == 0
    assert AuditEvent.objects.count() == count
    assert Notification.objects.filter(event="offer_lapsed").count() == 1


def test_offers_still_open_do_not_lapse(panel, round_):
    offered = make_offer(round_, panel=panel)
    assert offers_lapse_expired() == 0
    assert _status(offered) == "offered"
    with pytest.raises(ProblemsError, match="has not expired yet"):
        application_transition(actor=None, application=offered, transition_name="lapse_offer")


# --- Bulk decisions ---------------------------------------------------------------------------

def test_bulk_approval_reports_each_application(panel):
    round_ = make_round(code="2026R4", envelope=Decimal("1500000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    applications = [make_application(round_, state="reviewed", panel=panel) for _ in range(3)]
    results = decisions_bulk(actor=panel, rows=[
        BulkRow(application_id=a.pk, decision="approve", amount=a.requested_subsidy,
                conditions=f"Report {n}") for n, a in enumerate(applications)])
    assert [r.ok for r in results] == [True, True, False]
    assert "Envelope exhausted" in results[2].message
    assert [_status(a) for a in applications] == ["offered", "offered", "reviewed"]
    assert [g.conditions for g in Grant.objects.order_by("application_id")] == [
        "Report 0", "Report 1"]


def test_bulk_rows_take_each_their_own_amount(panel, round_):
    first, second = (make_application(round_, state="reviewed", panel=panel) for _ in range(2))
    results = decisions_bulk(actor=panel, rows=[
        BulkRow(application_id=first.pk, decision="approve", amount=Decimal("500000.00")),
        BulkRow(application_id=second.pk, decision="approve", amount=Decimal("650000.00"))])
    assert all(r.ok for r in results)
    assert {g.application_id: g.approved_amount for g in Grant.objects.all()} == {
        first.pk: Decimal("500000.00"), second.pk: Decimal("650000.00")}


def test_bulk_rejection_needs_a_reason(panel, reviewed):
    [result] = decisions_bulk(actor=panel, rows=[BulkRow(application_id=reviewed.pk,
                                                         decision="reject")])
    assert not result.ok and "Give the reason" in result.message
    assert result.problems[0][0] == "reason"
    assert _status(reviewed) == "reviewed"


def test_bulk_decision_refuses_an_application_in_the_wrong_state(panel, round_, reviewed):
    other = make_application(round_, state="screening")
    results = decisions_bulk(actor=panel, rows=[
        BulkRow(application_id=reviewed.pk, decision="waitlist"),
        BulkRow(application_id=other.pk, decision="waitlist")])
    outcome = {r.application.pk: r.ok for r in results}
    assert outcome == {reviewed.pk: True, other.pk: False}
    assert _status(other) == "screening"


# --- The envelope as a rule -------------------------------------------------------------------

def test_the_envelope_cannot_drop_below_what_is_committed(panel, round_):
    make_offer(round_, panel=panel)
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    with pytest.raises(DomainError, match="already committed") as refused:
        round_update(actor=officer, round_=round_, envelope=Decimal("600000.00"),
                     max_subsidy_per_project=Decimal("600000.00"))
    assert refused.value.code == "envelope_below_committed"
    round_.refresh_from_db()
    assert round_.envelope == Decimal("10000000.00")


@pytest.mark.postgres
def test_the_database_refuses_a_grant_past_the_envelope(panel):
    round_ = make_round(code="2026R5", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    make_offer(round_, panel=panel)
    other = make_application(round_, state="reviewed", panel=panel)
    with pytest.raises(IntegrityError, match="envelope exhausted"), transaction.atomic():
        Grant.objects.create(application=other, round=round_, approved_amount=REQUESTED,
                             approved_ratio_percent=Decimal("70"))


@pytest.mark.postgres
def test_the_database_refuses_an_envelope_below_what_is_committed(panel):
    round_ = make_round(code="2026R6", envelope=Decimal("1000000.00"),
                        max_subsidy_per_project=Decimal("1000000.00"))
    make_offer(round_, panel=panel)
    with pytest.raises(IntegrityError, match="below the"), transaction.atomic():
        FundingRound.objects.filter(pk=round_.pk).update(
            envelope=Decimal("500000.00"), max_subsidy_per_project=Decimal("500000.00"))
    assert connection.vendor == "postgresql"


def test_the_scheduled_task_lets_expired_offers_lapse(settings, panel, round_):
    from reviews.tasks import lapse_expired_offers

    offered = make_offer(round_, panel=panel)
    Grant.objects.update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    assert lapse_expired_offers.delay().get() == 1
    assert _status(offered) == "lapsed"
    assert settings.CELERY_BEAT_SCHEDULE["offers-lapse"]["task"] == lapse_expired_offers.name
