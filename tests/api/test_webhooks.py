import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from subsidy.api.models import ApiKey
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.webhooks import rules as webhook_rules
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks
from subsidy.webhooks.tasks import deliver_webhook
from tests.builders.webhooks import (
    EVENT,
    PUBLIC_URL,
    Receiver,
    make_endpoint,
    publish,
    verify_signature,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- Endpoints through the API -------------------------------------------------------------

def test_partner_registers_an_endpoint_and_sees_its_secret_once(partner_client, partner):
    created = partner_client.post("/api/v1/webhooks/", {"url": PUBLIC_URL,
                                                       "event_types": [EVENT]}, format="json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    assert WebhookEndpoint.objects.get().partner == partner

    shown = partner_client.get(f"/api/v1/webhooks/{created.json()['id']}/").json()
    assert "secret" not in shown
    assert shown["event_types"] == [EVENT]


def test_partner_changes_and_deletes_its_endpoint(partner_client, partner):
    endpoint = make_endpoint(partner)
    changed = partner_client.patch(f"/api/v1/webhooks/{endpoint.pk}/", {"active": False},
                                   format="json")
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert partner_client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_partner_rotates_the_secret_and_sees_the_new_one_once(partner_client, partner):
    endpoint = make_endpoint(partner)
    old = endpoint.secret

    response = partner_client.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/",
                                   HTTP_IDEMPOTENCY_KEY="rotate-1")

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert response.json()["secret"] == endpoint.secret != old
    assert endpoint.secret.startswith("whsec_")
    assert "secret" not in partner_client.get(f"/api/v1/webhooks/{endpoint.pk}/").json()
    rotated = AuditEvent.objects.get(action="webhook_endpoint.rotate_secret")
    assert endpoint.secret not in str(rotated.after) and old not in str(rotated.after)


def test_endpoint_list_shows_only_the_partners_own(partner_client, partner, other_partner):
    mine = make_endpoint(partner)
    make_endpoint(other_partner)
    response = partner_client.get("/api/v1/webhooks/")
    assert [e["id"] for e in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/webhooks/{id}/"),
    ("patch", "/api/v1/webhooks/{id}/"),
    ("delete", "/api/v1/webhooks/{id}/"),
    ("get", "/api/v1/webhooks/{id}/deliveries/"),
    ("post", "/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver/"),
    ("post", "/api/v1/webhooks/{id}/rotate-secret/"),
])
def test_another_partners_endpoint_is_404(partner_client, other_partner, method, path):
    theirs = make_endpoint(other_partner)
    delivery = WebhookDelivery.objects.create(endpoint=theirs, event_id="9" * 32,
                                              event_type=EVENT, payload={})
    body = {"active": False} if method != "get" else None
    response = getattr(partner_client, method)(
        path.format(id=theirs.pk, delivery=delivery.pk), body, format="json")
    assert response.status_code == 404
    secret = theirs.secret
    theirs.refresh_from_db()
    assert theirs.active is True and theirs.secret == secret
    assert WebhookDelivery.objects.count() == 1


def test_own_endpoint_cannot_redeliver_another_partners_delivery(partner_client, partner,
                                                                 other_partner):
    mine = make_endpoint(partner)
    theirs = WebhookDelivery.objects.create(endpoint=make_endpoint(other_partner),
                                            event_id="9" * 32, event_type=EVENT, payload={})
    response = partner_client.post(
        f"/api/v1/webhooks/{mine.pk}/deliveries/{theirs.pk}/redeliver/")
    assert response.status_code == 404


def test_staff_key_cannot_manage_webhooks(issue_key, client_for):
    finance = UserFactory(roles=[Role.FINANCE_OFFICER])
    # A key issued before staff keys were limited to the scopes they can use.
    client = client_for(issue_key(user=finance, scopes=["rounds:read"]))
    ApiKey.objects.update(scopes=["webhooks:manage"])
    response = client.get("/api/v1/webhooks/")
    assert response.status_code == 403
    assert response.json()["code"] == "partner_key_required"


def test_webhooks_need_the_webhooks_scope(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["rounds:read"]))
    assert client.get("/api/v1/webhooks/").status_code == 403


# --- Signing and delivery ------------------------------------------------------------------

def test_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"id":"1"}'
    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.webhook_signature(secret="whsec_x", timestamp=1700000000, body=body) == \
        f"t=1700000000,v1={expected}"


def test_event_goes_only_to_active_endpoints_subscribed_to_it(partner, other_partner,
                                                              django_capture_on_commit_callbacks,
                                                              monkeypatch):
    monkeypatch.setattr(webhooks, "_enqueue", lambda pk: None)
    subscribed = make_endpoint(partner)
    make_endpoint(partner, event_types=["application.withdrawn"])
    make_endpoint(partner, active=False)
    make_endpoint(other_partner)

    deliveries = publish(partner, django_capture_on_commit_callbacks)

    assert [d.endpoint for d in deliveries] == [subscribed]


def test_receiver_gets_a_signed_event(partner, local_receivers_allowed,
                                      django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        endpoint = make_endpoint(partner, url=receiver.url)
        [delivery] = publish(partner, django_capture_on_commit_callbacks)

    [(path, headers, body)] = receiver.requests
    assert path == "/aiss/events"
    assert verify_signature(secret=endpoint.secret, headers=headers, body=body)
    assert not verify_signature(secret="whsec_wrong", headers=headers, body=body)
    event = json.loads(body)
    assert event["type"] == EVENT
    assert event["id"] == str(delivery.event_id)
    assert event["data"] == {"reference": "AISS-2026R1-00042"}
    assert headers["X-AISS-Event"] == EVENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_response_code) == (
        WebhookDelivery.Status.DELIVERED, 1, 200)


def test_failed_delivery_is_retried_and_logged(partner, local_receivers_allowed,
                                               django_capture_on_commit_callbacks):
    with Receiver([500, 204]) as receiver:
        make_endpoint(partner, url=receiver.url)
        [delivery] = publish(partner, django_capture_on_commit_callbacks)
        delivery.refresh_from_db()
        # Tasks run in-process here: the retry waits for its backoff instead of running
        # inside the request that published the event.
        assert len(receiver.requests) == 1
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert 25 <= (delivery.next_attempt_at - timezone.now()).total_seconds() <= 30
        deliver_webhook.apply(args=[delivery.pk])  # the timer (or the sweeper) fires

    assert len(receiver.requests) == 2
    first_body, second_body = receiver.requests[0][2], receiver.requests[1][2]
    assert first_body == second_body
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 2
    assert delivery.last_response_code == 204


def test_a_slow_receiver_does_not_hold_the_request_for_every_attempt(
        partner, monkeypatch, local_receivers_allowed, django_capture_on_commit_callbacks):
    calls = []
    monkeypatch.setattr(webhooks, "_post", lambda *args: calls.append(1) or 503)
    make_endpoint(partner, url="http://127.0.0.1:9/aiss/events")

    publish(partner, django_capture_on_commit_callbacks)

    assert len(calls) == 1


def test_local_trials_retry_on_a_timer_after_the_backoff(monkeypatch, settings):
    from subsidy.webhooks import tasks

    settings.WEBHOOKS_LOCAL_RETRY_TIMERS = True
    started = []
    monkeypatch.setattr(tasks.threading, "Timer",
                        lambda delay, run: type("T", (), {
                            "daemon": False, "start": lambda self: started.append(delay)})())
    monkeypatch.setattr(webhooks, "webhook_delivery_attempt",
                        lambda **kwargs: webhooks.AttemptResult("retry", retry_in=30))

    assert deliver_webhook.apply(args=[1]).get() == "retry-scheduled"
    assert started == [30]


def test_delivery_gives_up_after_the_attempt_limit(partner, monkeypatch, local_receivers_allowed,
                                                   django_capture_on_commit_callbacks):
    monkeypatch.setattr(webhook_rules, "MAX_ATTEMPTS", 3)
    with Receiver([500]) as receiver:
        make_endpoint(partner, url=receiver.url)
        [delivery] = publish(partner, django_capture_on_commit_callbacks)
        for _ in range(5):
            deliver_webhook.apply(args=[delivery.pk])

    assert len(receiver.requests) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        WebhookDelivery.Status.FAILED, 3, "HTTP 500")
    assert delivery.next_attempt_at is None


def test_unreachable_receiver_is_logged_with_the_error(partner, monkeypatch,
                                                       local_receivers_allowed,
                                                       django_capture_on_commit_callbacks):
    monkeypatch.setattr(webhook_rules, "MAX_ATTEMPTS", 1)
    with Receiver([200]) as receiver:
        url = receiver.url
    make_endpoint(partner, url=url)  # the server is gone: connection refused
    [delivery] = publish(partner, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert delivery.last_response_code is None
    assert "ConnectionRefusedError" in delivery.last_error


def test_retry_delays_grow_exponentially_up_to_the_cap(monkeypatch):
    monkeypatch.setattr(webhook_rules, "RETRY_BASE_SECONDS", 30)
    monkeypatch.setattr(webhook_rules, "RETRY_MAX_SECONDS", 300)
    assert [webhooks.webhook_retry_delay(n) for n in range(1, 6)] == [30, 60, 120, 240, 300]


def test_failed_attempt_schedules_the_next_one(partner, monkeypatch, local_receivers_allowed):
    monkeypatch.setattr(webhook_rules, "RETRY_BASE_SECONDS", 30)
    with Receiver([503]) as receiver:
        endpoint = make_endpoint(partner, url=receiver.url)
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event_id="1" * 32,
                                                  event_type=EVENT, payload={"id": "x"})
        result = webhooks.webhook_delivery_attempt(delivery_id=delivery.pk)
    assert result.retry_in == 30
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)


def test_delivery_log_and_manual_redeliver(partner, partner_client, local_receivers_allowed,
                                           django_capture_on_commit_callbacks):
    with Receiver([200]) as receiver:
        endpoint = make_endpoint(partner, url=receiver.url)
        [delivery] = publish(partner, django_capture_on_commit_callbacks)

        log = partner_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
        with django_capture_on_commit_callbacks(execute=True):
            redelivered = partner_client.post(
                f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/")

    [entry] = log["results"]
    assert entry["id"] == delivery.pk
    assert (entry["status"], entry["attempts"], entry["last_response_code"]) == (
        "delivered", 1, 200)
    assert redelivered.status_code == 202
    assert redelivered.json()["event_id"] == str(delivery.event_id)
    assert len(receiver.requests) == 2
    assert receiver.requests[0][2] == receiver.requests[1][2]
    again = WebhookDelivery.objects.get(pk=redelivered.json()["id"])
    assert again.status == WebhookDelivery.Status.DELIVERED
    assert again.redelivery_of == delivery


def test_sweeper_enqueues_overdue_pending_deliveries(partner, monkeypatch):
    enqueued = []
    monkeypatch.setattr(webhooks, "_enqueue", enqueued.append)
    endpoint = make_endpoint(partner)
    overdue = WebhookDelivery.objects.create(
        endpoint=endpoint, event_id="1" * 32, event_type=EVENT, payload={},
        next_attempt_at=timezone.now() - timedelta(hours=1))
    WebhookDelivery.objects.create(endpoint=endpoint, event_id="2" * 32, event_type=EVENT,
                                   payload={}, next_attempt_at=timezone.now())
    assert webhooks.webhook_deliveries_sweep() == 1
    assert enqueued == [overdue.pk]


@pytest.mark.parametrize("count", [3, 30])
def test_webhook_lists_run_a_bounded_number_of_queries(partner, partner_client, count,
                                                       django_assert_num_queries):
    endpoints = [make_endpoint(partner) for _ in range(count)]
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoints[0], event_id=f"{n:032x}", event_type=EVENT,
                        payload={}) for n in range(count))
    with django_assert_num_queries(3):
        listed = partner_client.get("/api/v1/webhooks/", {"page_size": 50})
    with django_assert_num_queries(3):
        log = partner_client.get(f"/api/v1/webhooks/{endpoints[0].pk}/deliveries/",
                                 {"page_size": 50})
    assert len(listed.json()["results"]) == len(log.json()["results"]) == count
