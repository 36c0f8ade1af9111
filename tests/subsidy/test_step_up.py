"""Sensitive changes ask a signed-in session to confirm who it is again: the password and,
where the account has one, the second factor, on allauth's pages; the change then goes on
by itself."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse
from django.utils.http import urlencode

from applicants.models import Membership
from subsidy.api.models import ApiKey
from subsidy.finance.models import BankAccount
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from tests.builders.accounts import FACTORY_PASSWORD, confirm_identity
from tests.builders.applicants import member
from tests.factories import MembershipFactory, PartnerOrganisationFactory, UserFactory
from tests.subsidy.test_second_factor import totp_code

pytestmark = pytest.mark.django_db

BANK = {"bank_name": "Hang Seng Bank", "account_name": "Startup Limited",
        "account_number": "024-123-456789-001"}


def _asked_for(response, url_name: str, path: str) -> bool:
    return response.status_code == 302 and response.url == (
        f"{reverse(url_name)}?{urlencode({'next': path})}")


@pytest.fixture
def owner_and_company():
    owner = UserFactory(roles=[Role.APPLICANT])
    return owner, MembershipFactory(user=owner, role=Membership.Role.OWNER).organisation


def _signed_in_with_totp(client, user):
    """A full sign-in through allauth with the password and the TOTP code."""
    EmailAddress.objects.get_or_create(user=user, email=user.email,
                                       defaults={"primary": True, "verified": True})
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client.post(reverse("account_login"), {"login": user.email, "password": FACTORY_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    return secret


# --- bank details -------------------------------------------------------------------------

def test_changing_the_bank_account_first_asks_for_the_password(client, owner_and_company):
    owner, company = owner_and_company
    client.force_login(owner)
    path = reverse("finance:bank_account", args=[company.pk])

    response = client.post(path, BANK)

    assert _asked_for(response, "account_reauthenticate", path)
    assert not BankAccount.objects.exists()


def test_the_bank_account_is_saved_once_the_password_is_confirmed(client, owner_and_company):
    owner, company = owner_and_company
    client.force_login(owner)
    asked = client.post(reverse("finance:bank_account", args=[company.pk]), BANK)

    response = client.post(asked.url, {"password": FACTORY_PASSWORD})

    assert response.status_code == 302
    assert BankAccount.objects.get(organisation=company).bank_name == "Hang Seng Bank"


def test_with_a_second_factor_the_bank_account_needs_the_code_too(client, owner_and_company):
    owner, company = owner_and_company
    _signed_in_with_totp(client, owner)
    path = reverse("finance:bank_account", args=[company.pk])
    asked = client.post(path, BANK)

    response = client.post(asked.url, {"password": FACTORY_PASSWORD})
    assert _asked_for(response, "mfa_reauthenticate", path)
    assert not BankAccount.objects.exists()
    # The sign-in just used this period's TOTP code, and a code is good once: a recovery code.
    client.post(response.url, {"code": RecoveryCodes.activate(owner).get_unused_codes()[0]})

    assert BankAccount.objects.get(organisation=company).bank_name == "Hang Seng Bank"


def test_a_confirmation_older_than_the_timeout_is_asked_again(client, settings,
                                                               owner_and_company):
    owner, company = owner_and_company
    confirm_identity(client.force_login(owner) or client)
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0

    response = client.post(reverse("finance:bank_account", args=[company.pk]), BANK)

    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not BankAccount.objects.exists()


def test_a_member_without_the_right_is_refused_before_any_confirmation(client,
                                                                        owner_and_company):
    _owner, company = owner_and_company
    client.force_login(member(company, Membership.Role.VIEWER))

    response = client.post(reverse("finance:bank_account", args=[company.pk]), BANK)

    assert response.status_code == 403


def test_reading_the_bank_account_page_needs_no_confirmation(client, owner_and_company):
    owner, company = owner_and_company
    client.force_login(owner)

    assert client.get(reverse("finance:bank_account", args=[company.pk])).status_code == 200


# --- members and roles --------------------------------------------------------------------

def test_inviting_a_member_first_asks_for_the_password(client, owner_and_company):
    owner, company = owner_and_company
    client.force_login(owner)
    path = reverse("applicants:members", args=[company.pk])

    response = client.post(path, {"email": "new@example.hk", "role": "editor"})

    assert _asked_for(response, "account_reauthenticate", path)
    assert not company.invitations.exists()


def test_changing_a_members_role_first_asks_for_the_password(client, owner_and_company):
    owner, company = owner_and_company
    viewer = member(company, Membership.Role.VIEWER)
    membership = company.memberships.get(user=viewer)
    client.force_login(owner)
    path = reverse("applicants:member_role", args=[company.pk, membership.pk])

    response = client.post(path, {"role": "owner"})

    assert _asked_for(response, "account_reauthenticate", path)
    membership.refresh_from_db()
    assert membership.role == Membership.Role.VIEWER


def test_removing_a_member_first_asks_for_the_password_then_goes_on(client,
                                                                    owner_and_company):
    owner, company = owner_and_company
    viewer = member(company, Membership.Role.VIEWER)
    membership = company.memberships.get(user=viewer)
    client.force_login(owner)
    path = reverse("applicants:member_remove", args=[company.pk, membership.pk])

    asked = client.post(path)
    assert _asked_for(asked, "account_reauthenticate", path)
    assert company.memberships.filter(user=viewer).exists()
    client.post(asked.url, {"password": FACTORY_PASSWORD})

    assert not company.memberships.filter(user=viewer).exists()


# --- the admin: roles and API keys --------------------------------------------------------

@pytest.fixture
def administrator(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    client.force_login(administrator)
    return administrator


def test_granting_a_role_in_the_admin_first_asks_for_the_password(client, administrator):
    officer = UserFactory(roles=[])
    path = f"/admin/subsidy/user/{officer.pk}/change/"

    response = client.post(path, {
        "email": officer.email, "full_name": officer.full_name, "language": "en",
        "is_active": "on", "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
        "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0",
        "role_grants-0-role": Role.ADMINISTRATOR})

    assert _asked_for(response, "account_reauthenticate", path)
    assert not officer.has_role(Role.ADMINISTRATOR)


def test_setting_a_password_in_the_admin_first_asks_for_the_password(client, administrator):
    officer = UserFactory(roles=[Role.FINANCE_APPROVER])
    path = f"/admin/subsidy/user/{officer.pk}/password/"

    response = client.post(path, {"password1": "A-new-password-2026",
                                  "password2": "A-new-password-2026"})

    assert _asked_for(response, "account_reauthenticate", path)
    officer.refresh_from_db()
    assert officer.check_password(FACTORY_PASSWORD)


def test_issuing_an_api_key_in_the_admin_asks_for_the_password_then_issues_and_audits(
        client, administrator):
    partner = PartnerOrganisationFactory()
    path = "/admin/subsidy/apikey/add/"
    form = {"name": "Portal", "partner": partner.pk, "scopes": ["rounds:read"]}

    asked = client.post(path, form)
    assert _asked_for(asked, "account_reauthenticate", path)
    assert not ApiKey.objects.exists()
    response = client.post(asked.url, {"password": FACTORY_PASSWORD}, follow=True)

    assert re.search(r"aiss_[\w-]+", response.content.decode())
    event = AuditEvent.objects.get(action="api_key.create")
    assert (event.actor, event.object_id) == (administrator, str(ApiKey.objects.get().pk))


def test_revoking_an_api_key_in_the_admin_asks_for_the_password_then_revokes_and_audits(
        client, administrator):
    from subsidy.api.services.keys import api_key_create

    api_key = api_key_create(actor=administrator, name="Portal", scopes=["rounds:read"],
                             partner=PartnerOrganisationFactory()).api_key
    path = "/admin/subsidy/apikey/"
    form = {"action": "revoke", "_selected_action": [api_key.pk]}

    assert _asked_for(client.post(path, form), "account_reauthenticate", path)
    api_key.refresh_from_db()
    assert api_key.revoked_at is None
    confirm_identity(client)
    client.post(path, form)

    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditEvent.objects.get(action="api_key.revoke").actor == administrator
