"""The admin shows partners' webhook endpoints and the notification outbox read-only: they
change through the partner pages, the API and the staff page of messages not delivered."""

import pytest

from subsidy.notifications.models import Notification
from tests.factories import NotificationFactory, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def test_a_partner_webhook_cannot_be_changed_in_the_admin(as_site_admin, partner):
    endpoint = WebhookEndpointFactory(partner=partner, url="https://idendron.example.hk/h")

    response = as_site_admin.post(f"/admin/subsidy/webhookendpoint/{endpoint.pk}/change/", {
        "partner": partner.pk, "url": "https://attacker.example.com/h",
        "event_types": '["application.created"]',
        "active": "on", "created_at_0": "2026-01-05", "created_at_1": "09:00:00"})

    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://idendron.example.hk/h"


def test_a_notification_is_not_deleted_in_the_admin(as_site_admin):
    notification = NotificationFactory()

    response = as_site_admin.post(
        f"/admin/subsidy/notification/{notification.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert Notification.objects.filter(pk=notification.pk).exists()
