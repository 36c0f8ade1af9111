"""One function decides the client's address, from the trusted proxies: sign-in throttling
(axes and allauth) and the audit trail all use it, so a forged X-Forwarded-For hop is never
believed and users behind the proxy are not throttled as one."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.platform.security import client_ip
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache (Redis when configured): each test from zero."""
    cache.clear()
    yield
    cache.clear()

PASSWORD = "Correct-Horse-Battery-9"
PROXY = "10.0.0.5"


def _request(forwarded: str | None = None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("203.0.113.9", remote="198.51.100.1")) == "198.51.100.1"


def test_behind_one_proxy_the_hop_it_appended_is_the_client_not_the_forged_first_one(
        settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_second_hop_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("6.6.6.6, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_a_request_that_bypassed_the_proxy_is_its_own_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request(None, remote="198.51.100.7")) == "198.51.100.7"


def test_an_unparseable_hop_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("not-an-address")) == PROXY


def test_the_audit_records_the_client_behind_the_proxy_not_the_forged_hop(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(UserFactory(roles=[Role.APPLICANT], language="en"))

    client.post(reverse("core:profile"), {"full_name": "New Name", "language": "en"},
                REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

    assert AuditEvent.objects.get(action="user.update_profile").ip_address == "203.0.113.9"


def _sign_in(client, email, password, address):
    return client.post(reverse("account_login"), {"login": email, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def test_behind_the_proxy_users_at_different_addresses_are_rate_limited_apart(
        client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip", "login_failed": False}
    UserFactory(email="amy@startup.hk")
    for _attempt in range(2):
        _sign_in(client, "amy@startup.hk", "wrong-password", "203.0.113.21")

    throttled = _sign_in(client, "amy@startup.hk", "wrong-password", "203.0.113.21")
    other_user = _sign_in(client, "amy@startup.hk", PASSWORD, "203.0.113.22")

    assert throttled.status_code == 429
    assert other_user.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_forged_first_hop_does_not_escape_the_rate_limit(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip", "login_failed": False}
    UserFactory(email="amy@startup.hk")
    for attempt in range(2):
        _sign_in(client, "amy@startup.hk", "wrong-password", f"6.6.6.{attempt}, 203.0.113.31")

    response = _sign_in(client, "amy@startup.hk", "wrong-password", "6.6.6.9, 203.0.113.31")

    assert response.status_code == 429


def test_failures_from_one_address_do_not_lock_the_owner_out_from_theirs(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="amy@startup.hk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "amy@startup.hk", "wrong-password", "203.0.113.41")

    attacker = _sign_in(client, "amy@startup.hk", PASSWORD, "203.0.113.41")
    owner = _sign_in(client, "amy@startup.hk", PASSWORD, "203.0.113.42")

    assert "account/lockout.html" in [t.name for t in attacker.templates]
    assert owner.status_code == 302
    assert "_auth_user_id" in client.session
