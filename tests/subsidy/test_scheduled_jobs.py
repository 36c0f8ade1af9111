"""The jobs celery beat runs: each does its work once, and a second run (a retry, a late or
overlapping beat) changes nothing and sends nothing again."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from applicants.models import Application, ApplicationStatus, Membership, status_gate_open
from applicants.services.drafts import application_create_draft
from applicants.services.reminders import round_closing_reminders_send
from applicants.tasks import send_round_closing_reminders
from config.celery import app as celery_app
from reviews.models import Assignment
from reviews.services.reminders import offer_expiry_reminders_send, review_reminders_send
from reviews.tasks import send_offer_expiry_reminders, send_review_reminders
from subsidy.api.models import ApiKey, IdempotencyKey
from subsidy.api.services.idempotency import idempotency_keys_purge
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent, PartnerOrganisation
from subsidy.platform.roles import Role
from subsidy.scheme.models import FundingRound, Grant
from subsidy.scheme.services.jobs import rounds_close_due, rounds_open_due
from subsidy.scheme.tasks import close_due_rounds, open_due_rounds
from tests.factories import (
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run a job the way a worker does: its notifications are delivered once it commits."""

    def run_job(job, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return job(**kwargs)

    return run_job


def snapshot():
    """What a second run must leave as it is."""
    return (Notification.objects.count(), AuditEvent.objects.count(), len(mail.outbox),
            sorted(FundingRound.objects.values_list("code", "status")))


def in_days(days, **extra):
    return timezone.now() + timedelta(days=days, **extra)


def applicant(organisation, **kwargs):
    user = UserFactory(roles=[Role.APPLICANT], **kwargs)
    MembershipFactory(user=user, organisation=organisation, role=Membership.Role.EDITOR)
    return user


def application(round_, *, status=ApplicationStatus.IN_REVIEW, organisation=None):
    with status_gate_open():
        return Application.objects.create(
            round=round_, organisation=organisation or OrganisationFactory(), status=status,
            title="Cantonese speech recognition", reference=f"AISS-{round_.code}-00001",
            requested_subsidy=Decimal("700000.00"), total_eligible_cost=Decimal("1000000.00"),
            submitted_at=timezone.now())


# --- Rounds opening and closing ----------------------------------------------------------

def test_planned_round_opens_once_its_opening_time_has_passed(run):
    round_ = FundingRoundFactory(status=FundingRound.Status.PLANNED,
                                 opens_at=in_days(0, minutes=-1))

    assert run(lambda: open_due_rounds.delay().get()) == [round_.code]

    round_.refresh_from_db()
    assert round_.status == FundingRound.Status.OPEN
    event = AuditEvent.objects.get(action="round.open")
    assert event.actor is None
    assert event.actor_label == "system"


def test_planned_round_before_its_opening_time_stays_planned(run):
    round_ = FundingRoundFactory(status=FundingRound.Status.PLANNED, opens_at=in_days(1))

    assert run(rounds_open_due) == []

    round_.refresh_from_db()
    assert round_.status == FundingRound.Status.PLANNED


def test_round_closed_by_a_person_before_its_time_is_not_reopened(run):
    round_ = FundingRoundFactory(status=FundingRound.Status.CLOSED)

    assert run(rounds_open_due) == []

    round_.refresh_from_db()
    assert round_.status == FundingRound.Status.CLOSED


def test_opening_job_run_twice_opens_and_audits_once(run):
    FundingRoundFactory(status=FundingRound.Status.PLANNED, opens_at=in_days(0, minutes=-1))
    run(rounds_open_due)
    before = snapshot()

    assert run(rounds_open_due) == []

    assert snapshot() == before
    assert AuditEvent.objects.filter(action="round.open").count() == 1


def test_open_round_closes_once_its_closing_time_has_passed(run):
    round_ = FundingRoundFactory(opens_at=in_days(-30), closes_at=in_days(0, minutes=-1))
    still_open = FundingRoundFactory()

    assert run(lambda: close_due_rounds.delay().get()) == [round_.code]

    round_.refresh_from_db()
    still_open.refresh_from_db()
    assert round_.status == FundingRound.Status.CLOSED
    assert still_open.status == FundingRound.Status.OPEN
    assert AuditEvent.objects.get(action="round.close").actor_label == "system"


def test_closing_job_run_twice_closes_and_audits_once(run):
    FundingRoundFactory(opens_at=in_days(-30), closes_at=in_days(0, minutes=-1))
    run(rounds_close_due)
    before = snapshot()

    assert run(rounds_close_due) == []

    assert snapshot() == before
    assert AuditEvent.objects.filter(action="round.close").count() == 1


# --- Round closing in 3 days -------------------------------------------------------------

@pytest.fixture
def closing_round(db):
    return FundingRoundFactory(code="2026R9", closes_at=in_days(2, hours=12))


def draft_with_members(round_, *members_kwargs):
    organisation = OrganisationFactory()
    members = [applicant(organisation, **kwargs) for kwargs in members_kwargs or [{}]]
    application_create_draft(actor=members[0], organisation=organisation, round_=round_)
    return members


def test_members_of_an_organisation_with_a_draft_are_told_the_round_closes_in_3_days(
        run, closing_round):
    first, second = draft_with_members(closing_round, {}, {})

    assert run(lambda: send_round_closing_reminders.delay().get()) == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [first.email, second.email])
    assert "2026R9 closes in 3 days" in mail.outbox[0].subject


def test_round_closing_reminder_is_in_the_recipients_language(run, closing_round):
    draft_with_members(closing_round, {"language": "zh-hant"})

    run(round_closing_reminders_send)

    [message] = mail.outbox
    assert "2026R9" in message.subject
    assert "closes in 3 days" not in message.subject


def test_organisation_without_a_draft_in_the_round_is_not_reminded(run, closing_round):
    application(closing_round, status=ApplicationStatus.SUBMITTED,
                organisation=MembershipFactory().organisation)

    assert run(round_closing_reminders_send) == 0
    assert mail.outbox == []


def test_round_closing_later_than_3_days_sends_no_reminder_yet(run):
    draft_with_members(FundingRoundFactory(closes_at=in_days(3, hours=1)))

    assert run(round_closing_reminders_send) == 0


def test_person_with_drafts_in_two_organisations_gets_one_reminder_per_round(
        run, closing_round):
    [person] = draft_with_members(closing_round)
    other = OrganisationFactory()
    MembershipFactory(user=person, organisation=other, role=Membership.Role.OWNER)
    application_create_draft(actor=person, organisation=other, round_=closing_round)

    assert run(round_closing_reminders_send) == 1
    assert len(mail.outbox) == 1


def test_round_closing_reminders_run_twice_send_nothing_twice(run, closing_round):
    draft_with_members(closing_round, {}, {})
    run(round_closing_reminders_send)
    before = snapshot()

    assert run(round_closing_reminders_send) == 0

    assert snapshot() == before


def test_member_who_joins_after_the_reminder_gets_one_on_the_next_run(run, closing_round):
    [first] = draft_with_members(closing_round)
    run(round_closing_reminders_send)
    organisation = first.memberships.get().organisation
    newcomer = applicant(organisation)

    assert run(round_closing_reminders_send) == 1
    assert [message.to[0] for message in mail.outbox] == [first.email, newcomer.email]


# --- Review reminders --------------------------------------------------------------------

def assignment(*, due_in, status=Assignment.Status.ACTIVE):
    round_ = FundingRoundFactory()
    return Assignment.objects.create(
        application=application(round_), reviewer=UserFactory(roles=[Role.REVIEWER]),
        due_at=timezone.now() + due_in, status=status)


def test_review_due_within_2_days_gets_a_due_soon_reminder(run):
    due = assignment(due_in=timedelta(days=1, hours=20))
    assignment(due_in=timedelta(days=5))

    assert run(lambda: send_review_reminders.delay().get()) == 1

    [notification] = Notification.objects.all()
    assert (notification.event, notification.recipient) == ("review_due_soon", due.reviewer)
    assert notification.context["url"] == f"/reviews/assignments/{due.pk}/"
    assert [message.to[0] for message in mail.outbox] == [due.reviewer.email]


def test_review_past_due_gets_an_overdue_reminder(run):
    late = assignment(due_in=-timedelta(hours=1))

    assert run(review_reminders_send) == 1

    assert Notification.objects.get().event == "review_overdue"
    assert "overdue" in mail.outbox[0].subject.lower()
    assert mail.outbox[0].to == [late.reviewer.email]


@pytest.mark.parametrize("status", [Assignment.Status.SUBMITTED, Assignment.Status.REMOVED,
                                    Assignment.Status.CONFLICTED])
def test_finished_or_removed_assignment_gets_no_reminder(run, status):
    assignment(due_in=-timedelta(hours=1), status=status)
    assignment(due_in=timedelta(days=1), status=status)

    assert run(review_reminders_send) == 0
    assert mail.outbox == []


def test_review_reminders_run_twice_send_nothing_twice(run):
    assignment(due_in=timedelta(days=1))
    assignment(due_in=-timedelta(days=1))
    run(review_reminders_send)
    before = snapshot()

    assert run(review_reminders_send) == 0

    assert snapshot() == before


def test_review_reminded_as_due_soon_is_reminded_again_once_overdue(run):
    due = assignment(due_in=timedelta(days=1))
    run(review_reminders_send)
    Assignment.objects.filter(pk=due.pk).update(due_at=timezone.now() - timedelta(minutes=1))

    assert run(review_reminders_send) == 1
    assert run(review_reminders_send) == 0
    assert sorted(Notification.objects.values_list("event", flat=True)) == [
        "review_due_soon", "review_overdue"]


# --- Offer expiring in 3 days ------------------------------------------------------------

def offer(*, expires_in, status=Grant.Status.OFFERED, members=1):
    round_ = FundingRoundFactory()
    organisation = OrganisationFactory()
    people = [applicant(organisation) for _ in range(members)]
    app = application(round_, status=ApplicationStatus.OFFERED, organisation=organisation)
    grant = Grant.objects.create(
        application=app, round=round_, status=status, approved_amount=Decimal("700000.00"),
        approved_ratio_percent=Decimal("70.00"), offer_expires_at=timezone.now() + expires_in)
    return grant, people


def test_members_are_told_3_days_before_their_offer_expires(run):
    grant, people = offer(expires_in=timedelta(days=2, hours=23), members=2)
    offer(expires_in=timedelta(days=4))

    assert run(lambda: send_offer_expiry_reminders.delay().get()) == 2

    assert sorted(message.to[0] for message in mail.outbox) == sorted(p.email for p in people)
    assert "HK$700,000.00" in mail.outbox[0].body
    assert Notification.objects.filter(context__grant_id=grant.pk).count() == 2


@pytest.mark.parametrize("status", [Grant.Status.ACCEPTED, Grant.Status.DECLINED,
                                    Grant.Status.LAPSED])
def test_answered_offer_gets_no_expiry_reminder(run, status):
    offer(expires_in=timedelta(days=2), status=status)

    assert run(offer_expiry_reminders_send) == 0


def test_offer_expiry_reminders_run_twice_send_nothing_twice(run):
    offer(expires_in=timedelta(days=2), members=2)
    run(offer_expiry_reminders_send)
    before = snapshot()

    assert run(offer_expiry_reminders_send) == 0

    assert snapshot() == before


# --- Idempotency keys --------------------------------------------------------------------

def test_idempotency_key_purge_run_twice_deletes_once():
    partner = PartnerOrganisation.objects.create(name="HKU iDendron",
                                                 contact_email="api@idendron.example.hk")
    api_key = ApiKey.objects.create(partner=partner, name="Portal", prefix="aiss_test",
                                    hashed_key="0" * 64)
    IdempotencyKey.objects.create(api_key=api_key, key="old", request_method="POST",
                                  request_path="/api/v1/webhooks/", request_fingerprint="f")
    later = timezone.now() + timedelta(days=2)

    assert idempotency_keys_purge(now=later) == 1
    assert idempotency_keys_purge(now=later) == 0


# --- The beat schedule -------------------------------------------------------------------

# Beat entries and queued messages name tasks by these strings: a deploy that renamed one
# would leave the old beat process, and messages already queued, naming a task nobody runs.
BEAT_ENTRIES = {
    "outbox-sweeper": "subsidy.tasks.sweep_outbox",
    "staff-daily-digest": "subsidy.tasks.send_staff_daily_digest",
    "webhook-sweeper": "subsidy.tasks.sweep_webhook_deliveries",
    "idempotency-key-purge": "subsidy.tasks.purge_idempotency_keys",
    "rounds-open": "subsidy.tasks.open_due_rounds",
    "rounds-close": "subsidy.tasks.close_due_rounds",
    "round-closing-reminders": "subsidy.tasks.send_round_closing_reminders",
    "draft-reminders": "applicants.tasks.send_draft_reminders",
    "documents-rescan": "applicants.tasks.rescan_documents",
    "review-reminders": "subsidy.tasks.send_review_reminders",
    "offer-expiry-reminders": "subsidy.tasks.send_offer_expiry_reminders",
    "offers-lapse": "reviews.tasks.lapse_expired_offers",
    "report-reminders": "subsidy.tasks.send_report_reminders",
    "report-escalations": "subsidy.tasks.send_report_escalations",
    "retention-apply": "subsidy.tasks.apply_retention",
    "data-access-request-reminders": "subsidy.tasks.send_data_access_request_reminders",
}


def test_beat_runs_the_schedule_of_the_settings_under_stable_task_names():
    schedule = celery_app.conf.beat_schedule

    assert schedule == settings.CELERY_BEAT_SCHEDULE
    assert {entry: job["task"] for entry, job in schedule.items()} == BEAT_ENTRIES


@pytest.mark.parametrize("entry", sorted(BEAT_ENTRIES))
def test_every_beat_entry_names_a_registered_task(entry):
    # What a worker does at start: import every installed app's tasks module.
    celery_app.loader.import_default_modules()
    assert celery_app.conf.beat_schedule[entry]["task"] in celery_app.tasks
