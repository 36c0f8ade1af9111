"""The webhook address guard: no delivery to a private, local or non-HTTPS address, in any of
its spellings, nor to a port other than 443 and those the deployment allows."""


import pytest

from subsidy.webhooks import rules as webhook_rules
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services.delivery import UnsafeWebhookUrl, webhook_url_resolve
from tests.builders.webhooks import EVENT, fake_dns, make_endpoint, publish

pytestmark = pytest.mark.django_db


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
