import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from subsidy.notifications.models import Notification, NotificationPreference
from subsidy.notifications.web.context import inbox_unread
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def make_notification(user, *, event="application_submitted", read=False, **extra):
    values = {"context": {"reference": "AISS-2026R1-00001"},
              "status": Notification.Status.SENT, "sent_at": timezone.now(), **extra}
    return Notification.objects.create(recipient=user, to_email=user.email, event=event,
                                       read_at=timezone.now() if read else None, **values)


@pytest.fixture
def user():
    return UserFactory(roles=[Role.APPLICANT])


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


def test_inbox_lists_the_users_notifications_with_title_and_subject(user_client, user):
    make_notification(user, subject="Application AISS-2026R1-00001 received")
    response = user_client.get(reverse("notifications:inbox"))
    page = response.content.decode()
    assert "Application received" in page  # the event's title from the registry
    assert "Application AISS-2026R1-00001 received" in page


def test_inbox_title_is_translated_when_shown_not_when_stored(client, monkeypatch):
    from dataclasses import replace

    from django.utils.translation import gettext_lazy

    from subsidy.notifications import events as notification_events

    # A label whose Traditional Chinese translation is in the catalogue.
    event = replace(notification_events.REGISTRY["account_verification"],
                    label=gettext_lazy("Confirm your email address for the AI Subsidy Scheme"))
    monkeypatch.setitem(notification_events.REGISTRY, "account_verification", event)
    reader = UserFactory(language="zh-hant")
    make_notification(reader, event="account_verification")
    client.force_login(reader)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "確認你在人工智能資助計劃登記的電郵地址" in page


def test_inbox_shows_notifications_whose_email_was_turned_off(user_client, user):
    make_notification(user, event="claim_paid", status=Notification.Status.EMAIL_OFF,
                      sent_at=None)
    assert "Claim paid" in user_client.get(reverse("notifications:inbox")).content.decode()


def test_inbox_never_shows_someone_elses_notifications(user_client):
    make_notification(UserFactory(), event="claim_returned")
    page = user_client.get(reverse("notifications:inbox")).content.decode()
    assert "Claim returned for changes" not in page
    assert "You have no notifications." in page


def test_inbox_needs_signing_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_inbox_is_paginated(user_client, user):
    for _n in range(25):
        make_notification(user)
    first = user_client.get(reverse("notifications:inbox"))
    second = user_client.get(reverse("notifications:inbox"), {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize("count", [5, 50])
def test_inbox_query_count_does_not_grow_with_notifications(user_client, user, count,
                                                            django_assert_num_queries):
    for _n in range(count):
        make_notification(user)
    with django_assert_num_queries(6):
        assert user_client.get(reverse("notifications:inbox")).status_code == 200


def test_navigation_shows_the_unread_count(user_client, user):
    make_notification(user)
    make_notification(user)
    make_notification(user, read=True)
    response = user_client.get(reverse("core:profile"))
    assert response.context["inbox_unread_count"] == 2
    assert 'nav-count">2<' in response.content.decode()


def test_unread_count_is_one_query_per_request_however_often_it_is_used(user):
    make_notification(user)
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        first = inbox_unread(request)["inbox_unread_count"]
        second = inbox_unread(request)["inbox_unread_count"]
        assert int(first) == 1
        assert int(second) == 1
        assert str(first) == "1"
    assert len(queries) == 1


def test_unread_count_costs_nothing_when_no_page_shows_it(user):
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        inbox_unread(request)
    assert len(queries) == 0


def test_mark_one_as_read(user_client, user):
    notification = make_notification(user)
    response = user_client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_read_again_keeps_the_first_reading_time(user_client, user):
    notification = make_notification(user, read=True)
    first_read = notification.read_at
    user_client.post(reverse("notifications:mark_read", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == first_read


def test_marking_someone_elses_notification_is_not_found(user_client):
    other = make_notification(UserFactory())
    response = user_client.post(reverse("notifications:mark_read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_read_needs_post(user_client, user):
    notification = make_notification(user)
    response = user_client.get(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 405


def test_mark_read_needs_the_csrf_token(user):
    notification = make_notification(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]))
    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_open_marks_read_and_goes_to_the_page_it_is_about(user_client, user):
    notification = make_notification(user, context={"url": "/applicant/applications/7/"})
    response = user_client.post(reverse("notifications:mark_read", args=[notification.pk]),
                                {"open": "1"})
    assert response["Location"] == "/applicant/applications/7/"


@pytest.mark.parametrize("url", ["//evil.example/", "https://evil.example/", "javascript:x"])
def test_open_never_leaves_the_site(user_client, user, url):
    notification = make_notification(user, context={"url": url})
    response = user_client.post(reverse("notifications:mark_read", args=[notification.pk]),
                                {"open": "1"})
    assert response["Location"] == reverse("notifications:inbox")


def test_mark_all_as_read_marks_only_the_users_own(user_client, user):
    mine = [make_notification(user), make_notification(user)]
    others = make_notification(UserFactory())
    response = user_client.post(reverse("notifications:mark_all_read"), {"page": "2"})
    assert response["Location"] == reverse("notifications:inbox") + "?page=2"
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    others.refresh_from_db()
    assert others.read_at is None


def test_mark_all_as_read_needs_post(user_client):
    assert user_client.get(reverse("notifications:mark_all_read")).status_code == 405


# --- Preferences page -----------------------------------------------------------------------

def test_preferences_page_shows_mandatory_events_as_always_on(user_client):
    response = user_client.get(reverse("notifications:preferences"))
    form = response.context["form"]
    assert form["information_requested"].field.disabled
    assert form["information_requested"].initial is True
    page = response.content.decode()
    assert "Required: always sent by email." in page
    assert "cannot be turned off" in page


def test_preferences_page_explains_the_inbox_always_shows_everything(user_client):
    page = user_client.get(reverse("notifications:preferences")).content.decode()
    assert "always appears in your inbox" in page


def test_preferences_page_lists_only_events_for_the_users_roles(user_client):
    fields = user_client.get(reverse("notifications:preferences")).context["form"].fields
    assert "claim_paid" in fields
    assert "reviewer_assigned" not in fields
    assert "staff_daily_digest" not in fields


def test_staff_see_the_daily_digest_switched_off_until_they_opt_in(client):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER]))
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert form["staff_daily_digest"].initial is False


def test_turning_an_optional_event_off_is_saved(user_client, user):
    response = user_client.post(reverse("notifications:preferences"),
                                {"application_submitted": "on"})
    assert response.status_code == 302
    stored = dict(NotificationPreference.objects.filter(user=user)
                  .values_list("event", "email_enabled"))
    assert stored["application_submitted"] is True
    assert stored["claim_paid"] is False


def test_posting_a_mandatory_event_off_changes_nothing(user_client, user):
    user_client.post(reverse("notifications:preferences"), {})
    assert not NotificationPreference.objects.filter(
        user=user, event="information_requested").exists()


def test_preferences_page_shows_what_was_saved(user_client, user):
    NotificationPreference.objects.create(user=user, event="claim_paid", email_enabled=False)
    form = user_client.get(reverse("notifications:preferences")).context["form"]
    assert form["claim_paid"].initial is False
    assert form["claim_received"].initial is True


def test_preferences_checkboxes_are_labelled_and_described(user_client):
    page = user_client.get(reverse("notifications:preferences")).content.decode()
    assert '<label for="id_claim_paid"' in page
    assert 'aria-describedby="id_claim_paid_helptext"' in page


@pytest.mark.parametrize("url_name", ["notifications:inbox", "notifications:preferences"])
def test_inbox_pages_carry_no_inline_code(user_client, user, url_name):
    make_notification(user, context={"url": "/applicant/applications/7/"})
    html = user_client.get(reverse(url_name)).content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert " onclick=" not in html


def test_dashboard_shows_recent_notifications_by_title_and_links_to_the_inbox(user_client,
                                                                             user):
    make_notification(user, event="claim_paid", status=Notification.Status.EMAIL_OFF,
                      sent_at=None)
    page = user_client.get(reverse("applicants:dashboard")).content.decode()
    assert "Claim paid" in page
    assert "claim_paid" not in page
    assert f'href="{reverse("notifications:inbox")}"' in page
