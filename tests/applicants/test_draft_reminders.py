"""Reminders to drafts not submitted: once per draft, window and person before the round
closes, to the company's owners and editors, by email and in the inbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applicants.models import ApplicationStatus, Membership
from applicants.services.drafts import application_create_draft
from applicants.services.reminders import draft_reminders_send
from applicants.tasks import send_draft_reminders
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from tests.factories import (
    ApplicationFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run_job(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return draft_reminders_send(**kwargs)

    return run_job


def in_days(days, **extra):
    return timezone.now() + timedelta(days=days, **extra)


def member(organisation, role=Membership.Role.OWNER, **kwargs):
    user = UserFactory(roles=[Role.APPLICANT], **kwargs)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def draft(round_, **owner_kwargs):
    organisation = OrganisationFactory()
    owner = member(organisation, **owner_kwargs)
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=round_)
    application.owner = owner
    return application


def test_owners_and_editors_of_a_draft_are_reminded_two_weeks_before_the_close(
        django_capture_on_commit_callbacks):
    round_ = FundingRoundFactory(code="2026R7", closes_at=in_days(10))
    application = draft(round_)
    editor = member(application.organisation, Membership.Role.EDITOR)
    member(application.organisation, Membership.Role.VIEWER)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_draft_reminders.delay().get() == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted([application.owner.email,
                                                           editor.email])
    assert "round 2026R7 closes on" in mail.outbox[0].subject
    assert reverse("applicants:application", args=[application.pk]) in mail.outbox[0].body


def test_running_again_in_the_same_window_sends_nothing_more(run):
    draft(FundingRoundFactory(closes_at=in_days(10)))
    assert run() == 1
    assert run() == 0
    assert run(now=in_days(3)) == 0
    assert len(mail.outbox) == 1


def test_the_last_day_brings_one_more_reminder(run):
    round_ = FundingRoundFactory(closes_at=in_days(10))
    application = draft(round_)
    run()
    assert run(now=round_.closes_at - timedelta(hours=20)) == 1
    assert run(now=round_.closes_at - timedelta(hours=2)) == 0
    windows = sorted(Notification.objects.filter(event="draft_not_submitted",
                                                 recipient=application.owner)
                     .values_list("context__window", flat=True))
    assert windows == ["14d", "1d"]


def test_each_draft_is_reminded_even_for_the_same_person(run):
    round_ = FundingRoundFactory(closes_at=in_days(5))
    application = draft(round_)
    other = OrganisationFactory()
    MembershipFactory(user=application.owner, organisation=other,
                      role=Membership.Role.OWNER)
    application_create_draft(actor=application.owner, organisation=other, round_=round_)
    assert run() == 2


@pytest.mark.parametrize("closes_in", [15, -1])
def test_no_reminder_outside_the_windows(run, closes_in):
    round_ = FundingRoundFactory(opens_at=in_days(-30), closes_at=in_days(5))
    draft(round_)
    assert run(now=round_.closes_at - timedelta(days=closes_in)) == 0


def test_submitted_applications_are_not_reminded(run):
    round_ = FundingRoundFactory(closes_at=in_days(5))
    organisation = OrganisationFactory()
    member(organisation)
    ApplicationFactory(round=round_, organisation=organisation,
                       status=ApplicationStatus.SUBMITTED)
    assert run() == 0


def test_the_reminder_is_in_the_inbox_and_in_the_recipients_language(run, client):
    application = draft(FundingRoundFactory(closes_at=in_days(5)), language="zh-hant")
    run()
    [message] = mail.outbox
    assert "草稿" in message.subject
    client.force_login(application.owner)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "草稿尚未提交" in page
