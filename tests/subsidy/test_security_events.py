"""Security events reach the audit trail: failed and throttled sign-ins, refused requests,
second factors added or removed, and wrong second-factor codes."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.platform.security_events import (
    RECOVERY_CODES_RENEWED,
    REQUEST_REFUSED,
    SECOND_FACTOR_ADDED,
    SECOND_FACTOR_FAILED,
    SECOND_FACTOR_REMOVED,
    SIGN_IN_FAILED,
    SIGN_IN_THROTTLED,
)
from tests.factories import UserFactory
from tests.subsidy.test_accounts import _activate_totp_through_the_form, _confirm_password

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache (Redis when configured): each test from zero."""
    cache.clear()
    yield
    cache.clear()

PASSWORD = "Correct-Horse-Battery-9"


def _sign_in(client, login, password, address="198.51.100.60"):
    return client.post(reverse("account_login"), {"login": login, "password": password},
                       REMOTE_ADDR=address)


def test_a_failed_sign_in_is_audited_against_the_account_with_the_address(client):
    user = UserFactory(email="amy@startup.hk")

    _sign_in(client, "Amy@Startup.hk", "wrong-password")

    event = AuditEvent.objects.get(action=SIGN_IN_FAILED)
    assert (event.object_type, event.object_id) == ("subsidy.user", str(user.pk))
    assert event.ip_address == "198.51.100.60"
    assert event.after == {"login": "amy@startup.hk", "reason": "wrong_credentials"}
    assert event.actor is None


def test_a_failed_sign_in_naming_no_account_is_audited_by_the_address_tried(client):
    _sign_in(client, "nobody@startup.hk", "wrong-password")

    event = AuditEvent.objects.get(action=SIGN_IN_FAILED)
    assert (event.object_type, event.object_id, event.object_repr) == (
        "subsidy.user", "", "nobody@startup.hk")


def test_a_sign_in_refused_by_the_lockout_is_audited_as_throttled(client, settings):
    user = UserFactory(email="amy@startup.hk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, user.email, "wrong-password")

    _sign_in(client, user.email, PASSWORD)

    # The attempt that reaches the limit starts the lockout, and is recorded as such too.
    assert AuditEvent.objects.filter(action=SIGN_IN_FAILED).count() == (
        settings.AXES_FAILURE_LIMIT - 1)
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_id) == (SIGN_IN_THROTTLED, str(user.pk))
    assert event.after["reason"] == "locked_out"


def test_a_sign_in_refused_by_the_rate_limit_is_audited_as_throttled(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip", "login_failed": False}
    user = UserFactory(email="amy@startup.hk")
    _sign_in(client, user.email, "wrong-password", address="198.51.100.61")

    response = _sign_in(client, user.email, PASSWORD, address="198.51.100.61")

    assert response.status_code == 429
    event = AuditEvent.objects.get(action=SIGN_IN_THROTTLED)
    assert (event.object_id, event.ip_address) == (str(user.pk), "198.51.100.61")
    assert event.after["reason"] == "rate_limited"


def test_a_staff_page_refused_to_an_applicant_is_audited(client):
    applicant = UserFactory(roles=[Role.APPLICANT])
    client.force_login(applicant)

    response = client.get(reverse("core:dashboard_officer"))

    assert response.status_code == 403
    event = AuditEvent.objects.get(action=REQUEST_REFUSED)
    assert (event.actor, event.object_id) == (applicant, str(applicant.pk))
    assert event.after == {"method": "GET", "path": reverse("core:dashboard_officer"),
                           "status": 403}


def test_a_page_that_is_allowed_writes_no_security_event(client):
    client.force_login(UserFactory(roles=[Role.PROGRAMME_OFFICER]))

    assert client.get(reverse("core:dashboard_officer")).status_code == 200
    assert not AuditEvent.objects.filter(action__startswith="security.").exists()


def test_adding_and_removing_a_second_factor_is_audited(
        client, django_capture_on_commit_callbacks):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        _activate_totp_through_the_form(client)

    added = AuditEvent.objects.filter(action=SECOND_FACTOR_ADDED).order_by("after__type")
    assert [(event.actor, event.object_id, event.after["type"]) for event in added] == [
        (officer, str(officer.pk), Authenticator.Type.RECOVERY_CODES),
        (officer, str(officer.pk), Authenticator.Type.TOTP)]

    _confirm_password(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))

    removed = sorted(AuditEvent.objects.filter(action=SECOND_FACTOR_REMOVED)
                     .values_list("after__type", flat=True))
    assert removed == [Authenticator.Type.RECOVERY_CODES, Authenticator.Type.TOTP]


def test_new_recovery_codes_are_audited(client, django_capture_on_commit_callbacks):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    _activate_totp_through_the_form(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_generate_recovery_codes"))

    assert AuditEvent.objects.get(action=RECOVERY_CODES_RENEWED).object_id == str(officer.pk)


def test_a_wrong_code_at_the_sign_in_second_factor_step_is_audited(client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    TOTP.activate(officer, generate_totp_secret())
    _sign_in(client, officer.email, PASSWORD, address="198.51.100.62")

    response = client.post(reverse("mfa_authenticate"), {"code": "000000"},
                           REMOTE_ADDR="198.51.100.62")

    assert response.status_code == 200
    event = AuditEvent.objects.get(action=SECOND_FACTOR_FAILED)
    assert (event.actor, event.object_id, event.ip_address) == (
        None, str(officer.pk), "198.51.100.62")
    assert event.after == {"type": Authenticator.Type.TOTP, "reauthentication": False,
                           "path": reverse("mfa_authenticate")}


def test_a_wrong_code_when_a_signed_in_user_confirms_is_audited_as_theirs(client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    TOTP.activate(officer, generate_totp_secret())
    client.force_login(officer)

    client.post(reverse("mfa_reauthenticate"), {"code": "000000"})

    event = AuditEvent.objects.get(action=SECOND_FACTOR_FAILED)
    assert (event.actor, event.object_id) == (officer, str(officer.pk))
    assert event.after["reauthentication"] is True
