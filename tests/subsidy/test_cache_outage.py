"""With Redis (the cache) unreachable, signing in still works: the cache fails open with a
logged warning instead of answering 500."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from subsidy.platform.roles import Role
from tests.factories import UserFactory
from tests.subsidy.test_second_factor import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"
# Nothing listens on port 1: every connection is refused at once.
DEAD_REDIS = {"default": {"BACKEND": "subsidy.platform.cache.FailOpenRedisCache",
                          "LOCATION": "redis://127.0.0.1:1/0",
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = DEAD_REDIS


def test_signing_in_through_the_form_works_with_redis_down(client, redis_down, caplog):
    user = UserFactory(roles=[Role.APPLICANT])

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert cache.get("anything", "missing") == "missing"  # the dead Redis was the cache
    assert any(record.name == "subsidy.platform.cache" and record.levelname == "WARNING"
               for record in caplog.records)


def test_a_wrong_password_is_refused_on_the_form_with_redis_down(client, redis_down):
    user = UserFactory(roles=[Role.APPLICANT])

    response = client.post(reverse("account_login"), {"login": user.email, "password": "nope"})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_second_factor_step_works_with_redis_down(client, redis_down):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)

    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(reverse("core:dashboard_officer")).status_code == 200
