"""Accounts: sign-up with email verification, sign-in, lockout, password reset and the
two-factor authentication that staff roles must use."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from subsidy.notifications.models import Notification
from subsidy.platform.models import User, UserRole
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"
NEW_PASSWORD = "Lion-Rock-Spirit-2026"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Each test runs in a transaction that is never committed; this runs the outbox's
    on-commit hand-over as a real commit would: ``with committed(): ...``."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _sign_up(client, *, email="founder@startup.hk", language="en"):
    return client.post(reverse("account_signup"), {
        "email": email,
        "full_name": "Chan Tai Man",
        "language": language,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    })


def _activate_url(message) -> str:
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def _sign_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Sign-up and verification ------------------------------------------------------------

def test_sign_up_creates_an_applicant_with_the_chosen_name_and_language(client):
    _sign_up(client, language="zh-hant")

    user = User.objects.get(email="founder@startup.hk")
    assert user.full_name == "Chan Tai Man"
    assert user.language == "zh-hant"
    assert list(UserRole.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.APPLICANT]


def test_sign_up_sends_one_verification_email_through_the_outbox(client, committed):
    with committed():
        response = _sign_up(client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    notification = Notification.objects.get(event="account_verification")
    assert notification.to_email == "founder@startup.hk"
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["founder@startup.hk"]
    assert mail.outbox[0].subject == "Confirm your email address for the AI Subsidy Scheme"


def test_sign_up_in_chinese_sends_the_verification_email_in_chinese(client, committed):
    with committed():
        _sign_up(client, language="zh-hant")

    assert len(mail.outbox) == 1
    assert "確認" in mail.outbox[0].subject
    assert "電郵地址" in mail.outbox[0].subject
    assert Notification.objects.get(event="account_verification").language == "zh-hant"


def test_following_the_activate_link_verifies_the_address_and_signs_in(client, committed):
    with committed():
        _sign_up(client)
    url = _activate_url(mail.outbox[0])

    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url)

    assert EmailAddress.objects.get(email="founder@startup.hk").verified
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 302
    assert client.get(reverse("applicants:dashboard")).status_code == 200


def test_signing_up_with_a_registered_address_reveals_nothing_and_tells_the_owner(
        client, committed):
    UserFactory(email="founder@startup.hk")

    with committed():
        response = _sign_up(client)

    assert response.url == reverse("account_email_verification_sent")
    assert User.objects.filter(email="founder@startup.hk").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "You already have an AI Subsidy Scheme account"
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_an_unverified_user_is_sent_to_the_verification_page_instead_of_signing_in(client):
    UserFactory(email="new@startup.hk", verified=False, roles=[Role.APPLICANT])

    response = _sign_in(client, "new@startup.hk")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_a_verified_user_signs_in_and_lands_on_the_dashboard(client):
    UserFactory(email="amy@startup.hk", roles=[Role.APPLICANT])

    response = _sign_in(client, "amy@startup.hk")

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


def test_sign_up_page_shows_the_personal_data_collection_notice(client):
    page = client.get(reverse("account_signup")).content.decode()

    assert "Personal Information Collection Statement" in page
    assert "Personal Data (Privacy) Ordinance" in page


def test_sign_up_fields_come_in_order_with_labels(client):
    page = client.get(reverse("account_signup")).content.decode()

    positions = [page.index(f'id="id_{name}"') for name in
                 ("email", "full_name", "language", "password1", "password2")]
    assert positions == sorted(positions)
    for field_id in ("id_email", "id_full_name", "id_language", "id_password1", "id_password2"):
        assert f'for="{field_id}"' in page


def test_sign_up_errors_are_tied_to_their_fields(client):
    response = client.post(reverse("account_signup"), {
        "email": "not-an-email", "full_name": "", "language": "en",
        "password1": NEW_PASSWORD, "password2": "something-else-entirely"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_email"', page) or re.search(
        r'<input[^>]*id="id_email"[^>]*aria-invalid="true"', page)
    assert 'id="id_full_name_error"' in page
    assert re.search(r'aria-describedby="[^"]*id_full_name_error', page)


# --- Lockout -------------------------------------------------------------------------------

def test_repeated_failed_sign_ins_lock_the_account_and_are_logged(client, settings, caplog):
    UserFactory(email="amy@startup.hk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "amy@startup.hk", password="wrong-password")

    response = _sign_in(client, "amy@startup.hk")

    assert response.status_code in (403, 429)
    assert "account/lockout.html" in [t.name for t in response.templates]
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="amy@startup.hk").failures_since_start >= (
        settings.AXES_FAILURE_LIMIT)
    failures_logged = [r for r in caplog.records if r.name.startswith("axes")
                       and r.levelname == "WARNING" and "login failure" in r.getMessage()]
    assert len(failures_logged) >= settings.AXES_FAILURE_LIMIT


def test_lockout_page_says_for_how_long_and_how_to_reset_the_password(client, settings):
    UserFactory(email="amy@startup.hk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "amy@startup.hk", password="wrong-password")

    page = _sign_in(client, "amy@startup.hk").content.decode()

    assert "too many failed attempts" in page
    assert "try again in 15 minutes" in page
    assert reverse("account_reset_password") in page


def test_a_successful_sign_in_before_the_limit_resets_the_count(client, settings):
    UserFactory(email="amy@startup.hk")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "amy@startup.hk", password="wrong-password")
    assert _sign_in(client, "amy@startup.hk").status_code == 302
    client.logout()

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "amy@startup.hk", password="wrong-password")
    response = _sign_in(client, "amy@startup.hk")

    assert response.status_code == 302
    assert response.url == reverse("core:dashboard")


# --- Password reset ------------------------------------------------------------------------

def test_password_reset_request_sends_one_reset_email_through_the_outbox(client, committed):
    UserFactory(email="amy@startup.hk")

    with committed():
        response = client.post(reverse("account_reset_password"), {"email": "amy@startup.hk"})

    assert response.status_code == 302
    assert Notification.objects.filter(event="password_reset").count() == 1
    assert Notification.objects.get(event="password_reset").status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your AI Subsidy Scheme password"


def test_the_reset_link_lets_the_user_choose_a_new_password(client, committed):
    user = UserFactory(email="amy@startup.hk")
    with committed():
        client.post(reverse("account_reset_password"), {"email": "amy@startup.hk"})
    url = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body).group(0)

    form_page = client.get(url, follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


# --- Two-factor authentication for staff ---------------------------------------------------

@pytest.fixture
def officer():
    return UserFactory(email="officer@cyberport.hk", roles=[Role.PROGRAMME_OFFICER])


def _code_for(secret: str) -> str:
    # The middle counter of allauth's tolerance window is the current 30-second step.
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def _secret_shown_on(page: str) -> str:
    return re.search(r'<code class="secret"[^>]*>([A-Z2-7=]+)</code>', page).group(1)


def _confirm_password(client):
    # Setting up an authenticator is a sensitive change: allauth asks for the password again.
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def _activate_totp_through_the_form(client):
    _confirm_password(client)
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    return client.post(reverse("mfa_activate_totp"), {"code": _code_for(_secret_shown_on(page))})


def test_setting_up_totp_first_asks_to_confirm_the_password(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)

    response = client.get(reverse("mfa_activate_totp"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    page = client.get(response.url).content.decode()
    assert 'for="id_password"' in page


def test_a_code_sent_by_email_also_confirms_it_is_you(client, committed, officer):
    _sign_in(client, officer.email)

    with committed():
        client.post(reverse("account_request_reauthentication_code"), {"recipient": officer.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)
    response = client.post(reverse("account_confirm_reauthentication_code"), {"code": code})

    assert mail.outbox[-1].subject == "Your one-time code for the AI Subsidy Scheme"
    assert response.status_code == 302
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


@pytest.mark.parametrize("url_name", ["core:dashboard", "core:dashboard_officer", "core:profile",
                                      "core:home"])
def test_staff_without_totp_are_sent_to_set_it_up_when_required(client, settings, officer,
                                                                 url_name):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(officer)

    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_applicants_are_not_required_to_set_up_totp(client, settings):
    settings.STAFF_REQUIRE_2FA = True
    client.force_login(UserFactory(roles=[Role.APPLICANT]))

    assert client.get(reverse("applicants:dashboard")).status_code == 200


def test_staff_with_an_activated_totp_reach_their_dashboard(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)
    _sign_in(client, officer.email)
    client.post(reverse("mfa_authenticate"), {"code": _code_for(secret)})

    assert client.get(reverse("core:dashboard_officer")).status_code == 200


def test_staff_are_not_sent_to_totp_set_up_when_it_is_not_required(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = False
    client.force_login(officer)

    assert client.get(reverse("core:dashboard_officer")).status_code == 200


def test_totp_set_up_page_shows_a_qr_code_and_the_secret(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)
    _confirm_password(client)

    page = client.get(reverse("mfa_activate_totp")).content.decode()

    assert re.search(r'<img class="qr-code" src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+"',
                     page)
    assert len(_secret_shown_on(page)) >= 16
    assert "Your role requires two-factor authentication" in page


def test_activating_totp_with_a_code_from_the_shown_secret_unlocks_the_dashboard(
        client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)

    response = _activate_totp_through_the_form(client)

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("core:dashboard_officer")).status_code == 200


def test_a_wrong_totp_code_is_refused_with_an_error_on_the_field(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)
    _confirm_password(client)
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in page
    assert re.search(r'aria-describedby="[^"]*id_code_error', page)
    assert not Authenticator.objects.filter(user=officer).exists()


def test_recovery_codes_can_be_viewed_and_downloaded_after_activation(client, settings,
                                                                      officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)
    _activate_totp_through_the_form(client)

    codes_page = client.get(reverse("mfa_view_recovery_codes"))
    download = client.get(reverse("mfa_download_recovery_codes"))

    assert codes_page.status_code == 200
    assert codes_page.content.decode().count("<li><code>") == 10
    assert download.status_code == 200
    assert len(download.content.decode().split()) == 10


def test_new_recovery_codes_replace_the_old_ones(client, settings, officer):
    settings.STAFF_REQUIRE_2FA = True
    _sign_in(client, officer.email)
    _activate_totp_through_the_form(client)
    old_codes = client.get(reverse("mfa_download_recovery_codes")).content.decode().split()

    assert client.get(reverse("mfa_generate_recovery_codes")).status_code == 200
    client.post(reverse("mfa_generate_recovery_codes"))
    new_codes = client.get(reverse("mfa_download_recovery_codes")).content.decode().split()

    assert len(new_codes) == 10
    assert not set(old_codes) & set(new_codes)


def test_signing_in_with_totp_asks_for_a_code_after_the_password(client, officer):
    secret = generate_totp_secret()
    TOTP.activate(officer, secret)

    response = _sign_in(client, officer.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert 'for="id_code"' in client.get(response.url).content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": _code_for(secret)})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)
