import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from subsidy.api.models import ApiKey
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.webhooks import rules as webhook_rules
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks
from subsidy.webhooks.services.delivery import UnsafeWebhookUrl, webhook_url_resolve
from subsidy.webhooks.tasks import deliver_webhook
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks"
EVENT = "application.submitted"


def verify_signature(*, secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (the partner guide shows the same code)."""
    fields = dict(part.split("=", 1) for part in headers["X-AISS-Signature"].split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance or str(timestamp) != headers["X-AISS-Timestamp"]:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers with the given status codes in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 \
                    else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/aiss/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True


def make_endpoint(partner, url=PUBLIC_URL, event_types=(EVENT,), **kwargs):
    return WebhookEndpoint.objects.create(partner=partner, url=url, secret="whsec_test",
                                          event_types=list(event_types), **kwargs)


def publish(partner, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        return webhooks.webhook_event_publish(partner=partner, event_type=EVENT,
                                              data=data or {"reference": "AISS-2026R1-00042"})


# --- Server-side request forgery guard -----------------------------------------------------

@pytest.mark.parametrize("url", [
    "http://93.184.216.34/hooks",            # plain http
    "https://user:pw@93.184.216.34/hooks",   # credentials
    "https://127.0.0.1/hooks",               # loopback
    "https://[::1]/hooks",                   # IPv6 loopback
    "https://[::ffff:127.0.0.1]/hooks",      # IPv4-mapped loopback
    "https://10.1.2.3/hooks",                # private
    "https://192.168.0.10/hooks",            # private
    "https://172.16.5.4/hooks",              # private
    "https://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
    "https://[fe80::1]/hooks",               # IPv6 link-local
    "https://224.0.0.1/hooks",               # multicast
    "https://240.0.0.1/hooks",               # reserved
    "https://0.0.0.0/hooks",                 # unspecified
    "https://100.64.0.1/hooks",              # shared address space
    "ftp://93.184.216.34/hooks",             # not http at all
    "https:///hooks",                        # no host
])
def test_guard_refuses_unsafe_urls(url):
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_resolve(url)


def fake_dns(monkeypatch, answers):
    """Answer for the given names; addresses written as IP literals resolve as usual."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return real_getaddrinfo(host, port, *args, **kwargs)
        if host not in answers:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)


def test_guard_refuses_a_name_that_resolves_to_a_private_address(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["10.0.0.5"]})
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_resolve("https://hooks.partner.example/x")


def test_guard_refuses_a_name_with_any_private_address_among_public_ones(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34", "127.0.0.1"]})
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_resolve("https://hooks.partner.example/x")


def test_guard_refuses_a_name_that_does_not_resolve(monkeypatch):
    fake_dns(monkeypatch, {})
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_resolve("https://nowhere.partner.example/x")


def test_guard_accepts_a_public_https_url_and_pins_its_address(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34"]})
    assert webhook_url_resolve("https://hooks.partner.example/x") == (
        "hooks.partner.example", 443, "93.184.216.34")


@pytest.mark.parametrize("url", [
    "https://[64:ff9b::7f00:1]/hooks",           # NAT64 of 127.0.0.1
    "https://[64:ff9b::a00:5]/hooks",            # NAT64 of 10.0.0.5
    "https://[64:ff9b:1::a9fe:a9fe]/hooks",      # local-use NAT64
    "https://[2002:7f00:1::1]/hooks",            # 6to4 of 127.0.0.1
    "https://[2002:a9fe:a9fe::1]/hooks",         # 6to4 of 169.254.169.254
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hooks",  # Teredo (client 127.0.0.1)
    "https://[::ffff:192.168.0.1]/hooks",        # IPv4-mapped
])
def test_guard_refuses_ipv6_forms_of_private_ipv4_addresses(url):
    with pytest.raises(UnsafeWebhookUrl):
        webhook_url_resolve(url)


def test_guard_accepts_the_nat64_form_of_a_public_address():
    assert webhook_url_resolve("https://[64:ff9b::5db8:d822]/hooks")[2] == (
        "64:ff9b::5db8:d822")


def test_guard_refuses_any_port_but_443(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34"]})
    for url in ("https://hooks.partner.example:8443/x", "https://hooks.partner.example:22/x",
                "https://hooks.partner.example:6379/x"):
        with pytest.raises(UnsafeWebhookUrl, match="443"):
            webhook_url_resolve(url)


def test_a_deployment_may_allow_more_ports(monkeypatch, settings):
    settings.WEBHOOKS_ALLOWED_PORTS = [8443]
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34"]})
    assert webhook_url_resolve("https://hooks.partner.example:8443/x")[1] == 8443


def test_settings_allow_a_local_http_receiver(local_receivers_allowed):
    assert webhook_url_resolve("http://127.0.0.1:9000/x") == ("127.0.0.1", 9000, "127.0.0.1")


def test_registering_an_unsafe_url_is_400_on_the_url_field(partner_client):
    response = partner_client.post("/api/v1/webhooks/", {"url": "https://127.0.0.1/x",
                                                        "event_types": [EVENT]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["url"] == [
        "Webhook URLs must not point to private, loopback, link-local or reserved addresses."]


def test_registering_with_a_misspelt_field_is_400_on_that_field(partner_client,
                                                                local_receivers_allowed):
    response = partner_client.post("/api/v1/webhooks/", {
        "url": "http://127.0.0.1:9/hook", "event_types": [EVENT], "actve": False},
        format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["actve"]
    assert not WebhookEndpoint.objects.exists()


def test_delivery_rechecks_the_guard(partner, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(webhook_rules, "MAX_ATTEMPTS", 1)
    make_endpoint(partner, url="https://10.0.0.7/hooks")  # e.g. DNS changed since registration
    [delivery] = publish(partner, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "private" in delivery.last_error


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
    response = getattr(partner_client, method)(
        path.format(id=theirs.pk, delivery=delivery.pk), {"active": False}, format="json")
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
