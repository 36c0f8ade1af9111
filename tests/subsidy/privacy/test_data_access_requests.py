"""Data access requests from people without an account: recorded as cases with the 40-day
clock of PDPO s.19, and reminders to the privacy officer and administrators."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from subsidy.notifications.models import Notification
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.privacy.models import DataAccessRequest
from subsidy.privacy.services.requests import data_access_request_reminders_send
from tests.factories import DataAccessRequestFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator():
    return UserFactory(roles=[Role.ADMINISTRATOR], email="admin@cyberport.hk")


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def case(received_on: date, **extra) -> DataAccessRequest:
    return DataAccessRequestFactory(received_on=received_on, created_by=None,
                                    requester_email="kayan@example.hk", **extra)


def test_an_administrator_records_a_request_and_sees_its_due_date(client, administrator):
    client.force_login(administrator)
    received = days_ago(5)

    response = client.post(reverse("privacy:requests"), {
        "requester_name": "Lee Ka Yan", "requester_email": "kayan@example.hk",
        "requester_address": "", "received_on": received.isoformat(),
        "description": "Copies of my data in application AISS-2026R1-00042.", "notes": ""})
    recorded = DataAccessRequest.objects.get()
    listing = client.get(reverse("privacy:requests")).content.decode()

    assert response.status_code == 302
    assert recorded.due_on == received + timedelta(days=40)
    assert recorded.created_by == administrator
    assert (received + timedelta(days=40)).isoformat() in listing
    assert "35 days left" in listing
    assert AuditEvent.objects.filter(action="dar.record", object_id=str(recorded.pk)).exists()


def test_a_request_cannot_be_received_in_the_future(client, administrator):
    client.force_login(administrator)

    response = client.post(reverse("privacy:requests"), {
        "requester_name": "Lee Ka Yan", "received_on": (days_ago(-2)).isoformat(),
        "description": "All data about me."})

    assert response.status_code == 400
    assert "The date received cannot be in the future." in response.content.decode()
    assert not DataAccessRequest.objects.exists()


def test_the_clock_shows_an_overdue_request(client, administrator):
    overdue = case(days_ago(43))
    client.force_login(administrator)

    page = client.get(reverse("privacy:request", args=[overdue.pk])).content.decode()

    assert "Overdue by 3 days" in page


def test_closing_a_case_stamps_the_day_and_stops_the_clock(client, administrator):
    open_case = case(days_ago(10))
    client.force_login(administrator)

    response = client.post(reverse("privacy:request", args=[open_case.pk]), {
        "status": "complied", "closed_on": "", "notes": "Copy sent by registered post.",
        "requester_name": "Lee Ka Yan", "requester_email": "kayan@example.hk",
        "requester_address": "", "received_on": open_case.received_on.isoformat(),
        "description": "All data about me."})

    open_case.refresh_from_db()
    assert response.status_code == 302
    assert open_case.status == "complied"
    assert open_case.closed_on == timezone.localdate()
    assert open_case.clock() == ("closed", 0)
    event = AuditEvent.objects.get(action="dar.update")
    assert event.after == {"status": "complied", "notes": "Copy sent by registered post.",
                           "closed_on": timezone.localdate().isoformat()}


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.PROGRAMME_OFFICER, Role.REVIEWER])
def test_only_administrators_reach_the_requests(client, role):
    client.force_login(UserFactory(roles=[role]))
    an_open_case = case(days_ago(1))

    assert client.get(reverse("privacy:requests")).status_code == 403
    assert client.get(reverse("privacy:request", args=[an_open_case.pk])).status_code == 403


def test_the_requests_page_is_in_the_administrators_navigation(client, administrator):
    client.force_login(administrator)

    page = client.get(reverse("core:dashboard"), follow=True).content.decode()

    assert reverse("privacy:requests") in page


@override_settings(PRIVACY_OFFICER_EMAIL="dpo@cyberport.hk", DAR_REMINDER_DAYS=7)
def test_reminders_go_once_before_the_due_date_and_once_when_overdue(
        administrator, committed):
    due_in_5 = case(days_ago(35))
    due_in_20 = case(days_ago(20))
    overdue = case(days_ago(41))
    closed = case(days_ago(60), status="complied", closed_on=days_ago(30))

    with committed():
        first = data_access_request_reminders_send()
    with committed():
        second = data_access_request_reminders_send()

    assert (first, second) == (2, 0)
    sent = Notification.objects.order_by("event", "to_email")
    assert [(n.event, n.to_email, n.context["case_id"]) for n in sent] == [
        ("data_access_request_due_soon", "admin@cyberport.hk", due_in_5.pk),
        ("data_access_request_due_soon", "dpo@cyberport.hk", due_in_5.pk),
        ("data_access_request_overdue", "admin@cyberport.hk", overdue.pk),
        ("data_access_request_overdue", "dpo@cyberport.hk", overdue.pk),
    ]
    assert len(mail.outbox) == 4
    assert (f"Data access request {overdue.reference} is overdue"
            in {m.subject for m in mail.outbox})
    assert not Notification.objects.filter(context__case_id__in=[due_in_20.pk, closed.pk])


def test_a_case_reminded_as_due_is_reminded_again_once_overdue(administrator):
    soon = case(days_ago(36))
    data_access_request_reminders_send()

    later = timezone.now() + timedelta(days=6)
    data_access_request_reminders_send(now=later)
    data_access_request_reminders_send(now=later)

    events = list(Notification.objects.filter(recipient=administrator)
                  .values_list("event", flat=True).order_by("pk"))
    assert events == ["data_access_request_due_soon", "data_access_request_overdue"]
    soon.refresh_from_db()
    assert soon.due_soon_reminded_at and soon.overdue_reminded_at


def test_the_reminders_run_from_beat_under_a_stable_name(administrator):
    case(days_ago(50))
    celery_app.loader.import_default_modules()

    result = celery_app.tasks["subsidy.tasks.send_data_access_request_reminders"].apply()

    assert result.get() == 1


# Session, user, roles, inbox count, the open cases, the closed ones.
QUERIES = 6


def test_the_register_asks_as_many_queries_for_four_times_the_cases(
        client, administrator, django_assert_num_queries):
    client.force_login(administrator)
    counts = []
    for total in (3, 12):
        while DataAccessRequest.objects.count() < total:
            case(days_ago(DataAccessRequest.objects.count() % 45))
        client.get(reverse("privacy:requests"))  # sessions and translations settle first
        with django_assert_num_queries(QUERIES) as captured:
            assert client.get(reverse("privacy:requests")).status_code == 200
        counts.append(len(captured))
    assert counts == [QUERIES, QUERIES]


def test_the_demo_register_has_a_running_and_an_overdue_request(client):
    call_command("seed_demo")
    call_command("seed_demo")
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))

    page = client.get(reverse("privacy:requests")).content.decode()

    assert DataAccessRequest.objects.count() == 2
    assert "28 days left" in page and "Overdue by 3 days" in page
