"""Failed webhook deliveries on the administrators' page of messages not delivered, with a
re-send that goes through the redelivery service and is audited."""

import uuid
from unittest import mock

import pytest
from django.urls import reverse

from subsidy.platform.errors import DomainError, PermissionDeniedError
from subsidy.platform.models import AuditEvent, PartnerOrganisation
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks
from subsidy.webhooks.services.delivery import webhook_delivery_resend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EVENT = "application.submitted"


@pytest.fixture
def endpoint():
    partner = PartnerOrganisation.objects.create(name="HKU iDendron",
                                                 contact_email="api@idendron.example.hk")
    return WebhookEndpoint.objects.create(partner=partner, url="https://93.184.216.34/hooks",
                                          secret="whsec_test", event_types=[EVENT])


def delivery(endpoint, status=WebhookDelivery.Status.FAILED, **kwargs):
    fields = {"attempts": 8, "last_response_code": 503, "last_error": "HTTP 503"}
    if status == WebhookDelivery.Status.DELIVERED:
        fields = {"attempts": 1, "delivered_at": "2026-11-20T10:00:00+08:00"}
    event_id = uuid.uuid4()
    return WebhookDelivery.objects.create(
        endpoint=endpoint, event_id=event_id, event_type=EVENT, status=status,
        payload={"id": str(event_id), "type": EVENT, "data": {}}, **{**fields, **kwargs})


@pytest.fixture
def enqueued():
    with mock.patch.object(webhooks, "_enqueue") as enqueue:
        yield enqueue


def test_failures_page_lists_failed_webhook_deliveries_with_partner_and_error(
        as_admin, endpoint, django_assert_num_queries):
    failed = [delivery(endpoint, last_error=f"ConnectionRefusedError {n}") for n in range(3)]
    delivery(endpoint, status=WebhookDelivery.Status.DELIVERED)
    delivery(endpoint, status=WebhookDelivery.Status.PENDING, attempts=2)

    with django_assert_num_queries(7):
        response = as_admin.get(reverse("notifications:failures"))

    page = response.content.decode()
    assert [d.pk for d in response.context["webhooks"]] == [d.pk for d in reversed(failed)]
    assert "HKU iDendron" in page and "https://93.184.216.34/hooks" in page
    assert "ConnectionRefusedError 2" in page
    assert reverse("notifications:webhook_delivery_resend", args=[failed[0].pk]) in page


def test_a_failed_delivery_sent_again_leaves_the_list(as_admin, endpoint, enqueued):
    failed = delivery(endpoint)
    as_admin.post(reverse("notifications:webhook_delivery_resend", args=[failed.pk]))
    assert list(as_admin.get(reverse("notifications:failures")).context["webhooks"]) == []


def test_resend_sends_the_same_event_again_after_commit_and_is_audited(
        admin, endpoint, enqueued, django_capture_on_commit_callbacks):
    failed = delivery(endpoint)

    with django_capture_on_commit_callbacks(execute=True):
        redelivery = webhook_delivery_resend(actor=admin, delivery_id=failed.pk)

    assert (redelivery.event_id, redelivery.payload, redelivery.redelivery_of_id) == (
        failed.event_id, failed.payload, failed.pk)
    assert redelivery.status == WebhookDelivery.Status.PENDING
    enqueued.assert_called_once_with(redelivery.pk)
    event = AuditEvent.objects.get(action="webhook_delivery.resend")
    assert (event.actor, event.object_id) == (admin, str(failed.pk))
    assert event.after == {"redelivery": redelivery.pk}


def test_resending_twice_sends_once(admin, endpoint, enqueued):
    failed = delivery(endpoint)
    webhook_delivery_resend(actor=admin, delivery_id=failed.pk)
    with pytest.raises(DomainError):
        webhook_delivery_resend(actor=admin, delivery_id=failed.pk)
    assert failed.redeliveries.count() == 1


def test_a_delivered_or_pending_delivery_cannot_be_resent(admin, endpoint, enqueued):
    for status in (WebhookDelivery.Status.DELIVERED, WebhookDelivery.Status.PENDING):
        with pytest.raises(DomainError):
            webhook_delivery_resend(actor=admin, delivery_id=delivery(endpoint, status).pk)
    assert not WebhookDelivery.objects.filter(redelivery_of__isnull=False).exists()


def test_a_failed_redelivery_may_be_resent_in_turn(admin, endpoint, enqueued):
    failed = delivery(endpoint)
    first = webhook_delivery_resend(actor=admin, delivery_id=failed.pk)
    WebhookDelivery.objects.filter(pk=first.pk).update(status=WebhookDelivery.Status.FAILED)
    second = webhook_delivery_resend(actor=admin, delivery_id=first.pk)
    assert second.event_id == failed.event_id


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICER, Role.FINANCE_APPROVER])
def test_only_administrators_may_resend(client, endpoint, enqueued, role):
    failed = delivery(endpoint)
    user = UserFactory(roles=[role])
    with pytest.raises(PermissionDeniedError):
        webhook_delivery_resend(actor=user, delivery_id=failed.pk)
    client.force_login(user)
    resend = reverse("notifications:webhook_delivery_resend", args=[failed.pk])
    assert client.post(resend).status_code == 403
    assert not failed.redeliveries.exists()


def test_resend_view_reports_a_disabled_endpoint(as_admin, endpoint, enqueued):
    failed = delivery(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    response = as_admin.post(reverse("notifications:webhook_delivery_resend", args=[failed.pk]),
                             follow=True)
    assert "This webhook endpoint is disabled" in response.content.decode()
    assert not failed.redeliveries.exists()


def test_resend_view_answers_404_for_an_unknown_delivery(as_admin):
    resend = reverse("notifications:webhook_delivery_resend", args=[999999])
    assert as_admin.post(resend).status_code == 404


def test_resend_view_refuses_get(as_admin, endpoint):
    failed = delivery(endpoint)
    resend = reverse("notifications:webhook_delivery_resend", args=[failed.pk])
    assert as_admin.get(resend).status_code == 405


def test_failed_webhook_deliveries_have_their_own_pages(as_admin, endpoint,
                                                       django_assert_num_queries):
    for _n in range(25):
        delivery(endpoint)
    with django_assert_num_queries(7):
        first = as_admin.get(reverse("notifications:failures")).content.decode()
    assert 'href="?webhooks_page=2#webhooks"' in first
    assert 'aria-label="Pages of webhook deliveries"' in first
    second = as_admin.get(reverse("notifications:failures"), {"webhooks_page": 2})
    assert len(second.context["webhooks"]) == 5
