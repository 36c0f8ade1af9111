from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from subsidy.notifications import events as notification_events
from subsidy.notifications.models import Notification
from subsidy.notifications.services.outbox import notification_resend, notify
from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

CONTEXT = {"activate_url": "https://aiss.example/confirm/abc/"}


def failed_notification(user=None, *, status=Notification.Status.FAILED,
                        error="SMTPServerDisconnected: gone", attempts=5):
    user = user or UserFactory()
    return Notification.objects.create(
        recipient=user, to_email=user.email, event="account_verification", context=CONTEXT,
        status=status, last_error=error, attempts=attempts)


# --- The list of notifications not delivered ------------------------------------------------

def test_failures_page_lists_failed_and_undeliverable_with_error_and_attempts(as_admin):
    failed_notification(error="SMTP down", attempts=5)
    failed_notification(status=Notification.Status.UNDELIVERABLE,
                        error="Malformed email address", attempts=0)
    sent = UserFactory(email="delivered@example.hk")
    Notification.objects.create(recipient=sent, to_email=sent.email, event="password_reset",
                                status=Notification.Status.SENT, sent_at=timezone.now())

    response = as_admin.get(reverse("notifications:failures"))

    page = response.content.decode()
    assert [n.status for n in response.context["page"]] == ["undeliverable", "failed"]
    assert "SMTP down" in page
    assert "Malformed email address" in page
    assert "delivered@example.hk" not in page


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.APPLICANT, Role.FINANCE_APPROVER])
@pytest.mark.parametrize("url_name,args", [
    ("notifications:failures", []), ("notifications:previews", []),
    ("notifications:preview", ["account_verification"]),
    ("notifications:preview_html", ["account_verification", "en"]),
])
def test_notification_admin_pages_are_for_administrators_only(client, role, url_name, args):
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse(url_name, args=args)).status_code == 403


@pytest.mark.parametrize("count", [5, 50])
def test_failures_page_query_count_does_not_grow_with_rows(as_admin, count,
                                                           django_assert_num_queries):
    for _n in range(count):
        failed_notification()
    with django_assert_num_queries(7):
        assert as_admin.get(reverse("notifications:failures")).status_code == 200


def test_notification_that_hits_the_retry_limit_is_shown_to_administrators(
        as_admin, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    user = UserFactory(email="unlucky@example.hk")
    with mock.patch("django.core.mail.EmailMultiAlternatives.send",
                    side_effect=ConnectionRefusedError("SMTP down")):
        notification = notify(recipient=user, event="account_verification", context=CONTEXT)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    response = as_admin.get(reverse("notifications:failures"))
    assert [n.pk for n in response.context["page"]] == [notification.pk]
    row = response.context["page"][0]
    assert row.attempts == 3
    assert "SMTP down" in row.last_error
    assert "unlucky@example.hk" in response.content.decode()


# --- Re-send --------------------------------------------------------------------------------

def test_resend_delivers_a_failed_notification_and_is_audited(as_admin, admin):
    notification = failed_notification()

    response = as_admin.post(reverse("notifications:resend", args=[notification.pk]))

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 1
    assert len(mail.outbox) == 1
    event = AuditEvent.objects.get(action="notification.resend")
    assert event.actor == admin
    assert event.before["status"] == "failed"
    assert event.before["attempts"] == 5
    assert event.after["status"] == "pending"
    assert event.after["attempts"] == 0


def test_resend_resets_the_row_to_pending_and_enqueues_it_after_commit(admin):
    notification = failed_notification()
    with mock.patch("subsidy.notifications.services.outbox.notification_enqueue") as enqueue:
        notification_resend(actor=admin, notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 0
    assert notification.last_error == ""
    enqueue.assert_called_once_with(notification_id=notification.pk)


def test_resend_goes_to_the_recipients_corrected_address(admin):
    user = UserFactory()
    notification = failed_notification(user, status=Notification.Status.UNDELIVERABLE,
                                       error="Malformed email address", attempts=0)
    type(user).objects.filter(pk=user.pk).update(email="fixed@example.hk")

    notification_resend(actor=admin, notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["fixed@example.hk"]]


def test_sent_notification_cannot_be_resent(admin):
    user = UserFactory()
    sent = Notification.objects.create(recipient=user, to_email=user.email,
                                       event="account_verification", context=CONTEXT,
                                       status=Notification.Status.SENT, sent_at=timezone.now())
    with pytest.raises(DomainError):
        notification_resend(actor=admin, notification_id=sent.pk)
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="notification.resend").exists()


def test_refused_resend_is_explained_on_the_page(as_admin):
    user = UserFactory()
    sent = Notification.objects.create(recipient=user, to_email=user.email,
                                       event="account_verification", context=CONTEXT,
                                       status=Notification.Status.SENT, sent_at=timezone.now())
    response = as_admin.post(reverse("notifications:resend", args=[sent.pk]), follow=True)
    assert "Only failed or undeliverable notifications can be re-sent." in (
        response.content.decode())


def test_only_administrators_may_resend():
    notification = failed_notification()
    with pytest.raises(PermissionDeniedError):
        notification_resend(actor=UserFactory(roles=[Role.PROGRAMME_OFFICER]),
                            notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_resend_needs_post(as_admin):
    notification = failed_notification()
    response = as_admin.get(reverse("notifications:resend", args=[notification.pk]))
    assert response.status_code == 405


def test_resend_of_a_missing_notification_is_not_found(as_admin):
    assert as_admin.post(reverse("notifications:resend", args=[999999])).status_code == 404


# --- Template previews ----------------------------------------------------------------------

def test_preview_index_lists_every_event(as_admin):
    page = as_admin.get(reverse("notifications:previews")).content.decode()
    for event in notification_events.EVENTS:
        assert reverse("notifications:preview", args=[event.code]) in page


def test_preview_renders_subject_and_text_in_english_and_traditional_chinese(as_admin):
    response = as_admin.get(reverse("notifications:preview",
                                        args=["account_verification"]))
    previews = {p["language"]: p for p in response.context["previews"]}
    assert previews["en"]["subject"] == "Confirm your email address for the AI Subsidy Scheme"
    assert previews["zh-hant"]["subject"] == "確認你在人工智能資助計劃登記的電郵地址"
    sample_url = notification_events.REGISTRY["account_verification"].sample_context[
        "activate_url"]
    assert sample_url in previews["en"]["text"]
    assert "陳大文" in previews["zh-hant"]["text"]


def test_preview_frames_the_html_of_each_language(as_admin):
    page = as_admin.get(reverse("notifications:preview",
                                    args=["account_verification"])).content.decode()
    for language in ("en", "zh-hant"):
        assert reverse("notifications:preview_html",
                       args=["account_verification", language]) in page


def test_preview_html_is_the_email_and_may_be_framed_only_by_this_site(as_admin):
    response = as_admin.get(reverse("notifications:preview_html",
                                        args=["account_verification", "zh-hant"]))
    assert response.status_code == 200
    assert "陳大文" in response.content.decode()
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy
    assert "script-src 'none'" in policy


def test_preview_reports_a_template_that_cannot_be_rendered(as_admin, monkeypatch):
    broken = notification_events.NotificationEvent(
        "event_without_templates", "Broken", notification_events.Audience.STAFF,
        mandatory=False)
    monkeypatch.setitem(notification_events.REGISTRY, broken.code, broken)
    response = as_admin.get(reverse("notifications:preview", args=[broken.code]))
    assert response.status_code == 200
    assert all("TemplateDoesNotExist" in p["error"] for p in response.context["previews"])
    assert "this email would not be sent" in response.content.decode()


def test_preview_of_an_unknown_event_is_not_found(as_admin):
    assert as_admin.get(reverse("notifications:preview",
                                    args=["no_such_event"])).status_code == 404


def test_preview_html_in_an_unknown_language_is_not_found(as_admin):
    response = as_admin.get(reverse("notifications:preview_html",
                                        args=["account_verification", "fr"]))
    assert response.status_code == 404


def test_admin_dashboard_links_to_the_notification_pages(as_admin):
    page = as_admin.get(reverse("core:dashboard_admin")).content.decode()
    assert reverse("notifications:failures") in page
    assert reverse("notifications:previews") in page


@pytest.mark.parametrize("url_name,args", [
    ("notifications:failures", []), ("notifications:previews", []),
    ("notifications:preview", ["account_verification"]),
])
def test_notification_admin_pages_carry_no_inline_code(as_admin, url_name, args):
    failed_notification()
    html = as_admin.get(reverse(url_name, args=args)).content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_template_that_fails_to_render_is_shown_to_administrators(as_admin):
    from subsidy.notifications.services.outbox import notification_deliver

    user = UserFactory()
    broken = Notification.objects.create(recipient=user, to_email=user.email,
                                         event="event_without_templates", context={})
    notification_deliver(notification_id=broken.pk)

    response = as_admin.get(reverse("notifications:failures"))

    assert [n.pk for n in response.context["page"]] == [broken.pk]
    assert "Template error: TemplateDoesNotExist" in response.content.decode()
