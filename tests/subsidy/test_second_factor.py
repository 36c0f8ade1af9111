"""The second factor is a property of the session, not of the account: a session that has
not passed it reaches no page, the admin included, and the admin signs in through the same
flow as the site."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import urlencode

from subsidy.platform.roles import Role
from tests.factories import UserFactory
from tests.subsidy.test_pages import _assert_no_inline_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in the cache (Redis when configured): each test from zero."""
    cache.clear()
    yield
    cache.clear()

PASSWORD = "Correct-Horse-Battery-9"


def totp_code(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def enrolled_officer():
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    return officer, secret


@pytest.fixture
def enrolled_admin(site_admin):
    EmailAddress.objects.create(user=site_admin, email=site_admin.email, primary=True,
                                verified=True)
    secret = generate_totp_secret()
    TOTP.activate(site_admin, secret)
    return site_admin, secret


def _second_factor_step(next_path: str) -> str:
    return f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_path})}"


@pytest.mark.parametrize("path", [
    reverse("core:dashboard_officer"), reverse("reviews:my_assignments"), reverse("core:profile"),
])
def test_a_password_only_session_of_an_enrolled_officer_is_sent_to_the_second_factor(
        client, enrolled_officer, path):
    officer, _secret = enrolled_officer
    client.force_login(officer)  # signed in without allauth's second-factor stage

    response = client.get(path)

    assert response.status_code == 302
    assert response.url == _second_factor_step(path)


def test_after_the_totp_step_the_session_reaches_staff_pages(client, enrolled_officer):
    officer, secret = enrolled_officer
    client.force_login(officer)
    path = reverse("core:dashboard_officer")

    response = client.post(_second_factor_step(path), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response.url == path
    assert client.get(path).status_code == 200


def test_a_recovery_code_also_passes_the_second_factor_step(client, enrolled_officer):
    officer, _secret = enrolled_officer
    code = RecoveryCodes.activate(officer).get_unused_codes()[0]
    client.force_login(officer)

    client.post(_second_factor_step("/"), {"code": code})

    assert client.get(reverse("core:dashboard_officer")).status_code == 200


def test_a_wrong_code_leaves_the_session_outside(client, enrolled_officer):
    officer, _secret = enrolled_officer
    client.force_login(officer)

    response = client.post(_second_factor_step("/"), {"code": "000000"})

    assert response.status_code == 200
    assert client.get(reverse("core:dashboard_officer")).status_code == 302


def test_a_password_only_session_of_an_enrolled_administrator_cannot_open_the_admin(
        client, enrolled_admin):
    admin_user, secret = enrolled_admin
    client.force_login(admin_user)

    response = client.get("/admin/subsidy/user/")

    assert response.status_code == 302
    assert response.url == _second_factor_step("/admin/subsidy/user/")
    client.post(response.url, {"code": totp_code(secret)})
    assert client.get("/admin/subsidy/user/").status_code == 200


def test_a_signed_in_applicant_with_a_second_factor_must_pass_it_too(client):
    applicant = UserFactory(roles=[Role.APPLICANT])
    TOTP.activate(applicant, generate_totp_secret())
    client.force_login(applicant)

    assert client.get(reverse("applicants:dashboard")).status_code == 302


def test_signing_out_stays_possible_before_the_second_factor(client, enrolled_officer):
    officer, _secret = enrolled_officer
    client.force_login(officer)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_full_sign_in_with_totp_reaches_staff_pages_without_a_second_step(
        client, enrolled_officer):
    officer, secret = enrolled_officer
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert client.get(reverse("core:dashboard_officer")).status_code == 200


def test_the_admin_login_page_offers_no_password_form(client):
    response = client.get("/admin/login/?next=/admin/subsidy/user/")

    assert response.status_code == 302
    query = urlencode({"next": "/admin/subsidy/user/"})
    assert response.url == f"{reverse('account_login')}?{query}"


def test_posting_a_password_to_the_admin_login_signs_nobody_in(client, enrolled_admin):
    admin_user, _secret = enrolled_admin

    response = client.post("/admin/login/", {"username": admin_user.email,
                                             "password": PASSWORD, "next": "/admin/"})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_signs_in_through_the_site_sign_in_with_its_second_factor(
        client, enrolled_admin):
    admin_user, secret = enrolled_admin
    login_url = client.get("/admin/").url  # /admin/login/?next=/admin/
    login_url = client.get(login_url).url  # the site's sign-in, with next

    response = client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    assert response.url == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_user_without_admin_access_is_refused_by_the_admin_login(client):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))

    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_second_factor_step_carries_the_page_to_return_to(client, enrolled_officer):
    officer, _secret = enrolled_officer
    client.force_login(officer)
    path = reverse("core:dashboard_officer")

    page = client.get(_second_factor_step(path)).content.decode()

    assert f'name="next" value="{path}"' in page


# --- security keys and passkeys (WebAuthn) ------------------------------------------------

def test_the_two_factor_page_offers_security_keys_and_passkeys(client):
    client.force_login(UserFactory(roles=[Role.APPLICANT]))

    page = client.get(reverse("mfa_index")).content.decode()

    assert f'href="{reverse("mfa_add_webauthn")}"' in page


def test_adding_a_security_key_asks_for_the_password_then_offers_the_browser_prompt(client):
    user = UserFactory(roles=[Role.APPLICANT])
    client.force_login(user)
    assert client.get(reverse("mfa_add_webauthn")).url.startswith(
        reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})

    response = client.get(reverse("mfa_add_webauthn"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="mfa_webauthn_add"' in page
    assert '"creation_options"' in page
    _assert_no_inline_code(response)


def test_signing_in_with_a_second_factor_offers_a_security_key_too(client, enrolled_officer):
    officer, _secret = enrolled_officer
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})

    response = client.get(reverse("mfa_authenticate"))

    assert 'id="mfa_webauthn_authenticate"' in response.content.decode()
    _assert_no_inline_code(response)


def test_a_session_of_an_account_with_only_a_security_key_is_sent_to_the_key_step(client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    Authenticator.objects.create(user=officer, type=Authenticator.Type.WEBAUTHN, data={})
    client.force_login(officer)
    path = reverse("core:dashboard_officer")

    response = client.get(path)

    assert response.url == f"{reverse('mfa_reauthenticate_webauthn')}?{urlencode({'next': path})}"


def test_guessing_the_code_after_the_password_is_stopped_after_five_tries(client,
                                                                          enrolled_officer):
    officer, secret = enrolled_officer
    client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    for _attempt in range(5):
        client.post(reverse("mfa_authenticate"), {"code": "000000"})

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_wrong_passwords_are_left_to_the_lockout_per_account_and_address(client, settings):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("account_login"), {"login": officer.email, "password": "wrong"},
                    REMOTE_ADDR=f"198.51.100.{attempt + 100}")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("account_login"), {"login": officer.email, "password": "wrong"},
                    REMOTE_ADDR="198.51.100.99")

    response = client.post(reverse("account_login"),
                           {"login": officer.email, "password": PASSWORD},
                           REMOTE_ADDR="198.51.100.98")

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
