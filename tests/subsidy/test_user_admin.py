"""Roles are granted and revoked in the admin through the audited role services; accounts
are deactivated there, never deleted."""

import pytest

from subsidy.platform.models import AuditEvent, User, UserRole
from subsidy.platform.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _user_form(user, **roles) -> dict:
    """The user's change form as the admin posts it, with role rows from ``roles``."""
    return {
        "email": user.email, "full_name": user.full_name, "language": "en",
        "is_active": "on", "date_joined_0": "2026-01-05", "date_joined_1": "09:00:00",
        "role_grants-TOTAL_FORMS": "0", "role_grants-INITIAL_FORMS": "0", **roles,
    }


def test_a_role_granted_in_the_admin_is_audited(as_site_admin, site_admin):
    officer = UserFactory(roles=[])

    response = as_site_admin.post(f"/admin/subsidy/user/{officer.pk}/change/", _user_form(
        officer, **{"role_grants-TOTAL_FORMS": "1", "role_grants-0-role": Role.REVIEWER}))

    assert response.status_code == 302
    assert officer.has_role(Role.REVIEWER)
    event = AuditEvent.objects.get(action="user.grant_role")
    assert (event.actor, event.object_id, event.after) == (
        site_admin, str(officer.pk), {"role": Role.REVIEWER})


def test_a_role_revoked_in_the_admin_is_audited(as_site_admin):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = UserRole.objects.get(user=officer)

    response = as_site_admin.post(f"/admin/subsidy/user/{officer.pk}/change/", _user_form(
        officer, **{"role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "1",
                    "role_grants-0-id": grant.pk, "role_grants-0-user": officer.pk,
                    "role_grants-0-role": Role.PROGRAMME_OFFICER,
                    "role_grants-0-DELETE": "on"}))

    assert response.status_code == 302
    assert not UserRole.objects.filter(user=officer).exists()
    event = AuditEvent.objects.get(action="user.revoke_role")
    assert event.before == {"role": Role.PROGRAMME_OFFICER}


def test_a_role_grant_is_not_rewritten_in_place(as_site_admin):
    applicant = UserFactory(roles=[Role.APPLICANT])
    grant = UserRole.objects.get(user=applicant)

    as_site_admin.post(f"/admin/subsidy/user/{applicant.pk}/change/", _user_form(
        applicant, **{"role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "1",
                      "role_grants-0-id": grant.pk, "role_grants-0-user": applicant.pk,
                      "role_grants-0-role": Role.ADMINISTRATOR}))

    assert list(UserRole.objects.filter(user=applicant).values_list("role", flat=True)) == [
        Role.APPLICANT]


def test_an_admin_without_the_administrator_role_cannot_grant_roles(client):
    superuser = User.objects.create_user("it@cyberport.example.hk", "Correct-Horse-Battery-9",
                                         is_staff=True, is_superuser=True)
    client.force_login(superuser)
    applicant = UserFactory(roles=[])

    client.post(f"/admin/subsidy/user/{applicant.pk}/change/", _user_form(
        applicant, **{"role_grants-TOTAL_FORMS": "1", "role_grants-0-role": Role.ADMINISTRATOR}))

    assert not UserRole.objects.filter(user=applicant).exists()


def test_users_are_not_deleted_in_the_admin(as_site_admin):
    applicant = UserFactory(roles=[Role.APPLICANT])

    response = as_site_admin.post(f"/admin/subsidy/user/{applicant.pk}/delete/",
                                     {"post": "yes"})

    assert response.status_code == 403
    assert User.objects.filter(pk=applicant.pk).exists()


# --- The account itself: opened and changed through the audited account services -----------

def test_admin_site_access_given_in_the_admin_is_audited(as_site_admin, site_admin):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER], full_name="Olivia Officer")

    response = as_site_admin.post(f"/admin/subsidy/user/{officer.pk}/change/", {
        **_user_form(officer), "is_staff": "on", "is_superuser": "on"})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_superuser and officer.is_staff
    event = AuditEvent.objects.get(action="user.update_account")
    assert event.actor == site_admin
    assert event.before == {"is_staff": False, "is_superuser": False}
    assert event.after == {"is_staff": True, "is_superuser": True}


def test_an_account_opened_in_the_admin_is_audited_with_its_roles(as_site_admin):
    response = as_site_admin.post("/admin/subsidy/user/add/", {
        "email": "New.Officer@Cyberport.example.hk", "full_name": "New Officer",
        "password1": "Correct-Horse-Battery-9", "password2": "Correct-Horse-Battery-9",
        "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "0",
        "role_grants-0-role": Role.PROGRAMME_OFFICER})

    assert response.status_code == 302
    opened = User.objects.get(email="new.officer@cyberport.example.hk")
    assert opened.check_password("Correct-Horse-Battery-9")
    assert opened.roles == frozenset({Role.PROGRAMME_OFFICER})
    assert list(AuditEvent.objects.filter(object_id=str(opened.pk)).order_by("id")
                .values_list("action", flat=True)) == ["user.create", "user.grant_role"]


def test_a_password_set_in_the_admin_goes_through_the_audited_service(as_site_admin,
                                                                      site_admin):
    person = UserFactory(roles=[Role.APPLICANT])

    response = as_site_admin.post(f"/admin/subsidy/user/{person.pk}/password/", {
        "set_usable_password": "true",
        "password1": "Harbour-Lights-2026", "password2": "Harbour-Lights-2026"})

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("Harbour-Lights-2026")
    event = AuditEvent.objects.get(action="user.set_password")
    assert (event.actor, event.object_id, event.after) == (
        site_admin, str(person.pk), {"usable_password": True})
    assert "Harbour-Lights-2026" not in str(event.before) + str(event.after)


def test_another_person_s_second_factor_cannot_be_deleted_in_the_admin(as_site_admin):
    from allauth.mfa.models import Authenticator

    person = UserFactory(roles=[Role.FINANCE_APPROVER])
    totp = Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP,
                                        data={"secret": "JBSWY3DPEHPK3PXP"})

    response = as_site_admin.post(f"/admin/mfa/authenticator/{totp.pk}/delete/",
                                  {"post": "yes"})

    assert response.status_code == 403
    assert Authenticator.objects.filter(pk=totp.pk).exists()


def test_a_sign_in_address_cannot_be_changed_in_the_admin(as_site_admin):
    from allauth.account.models import EmailAddress

    person = UserFactory(roles=[Role.APPLICANT])
    address, _created = EmailAddress.objects.get_or_create(
        user=person, email=person.email, defaults={"verified": True, "primary": True})

    response = as_site_admin.post(f"/admin/account/emailaddress/{address.pk}/change/", {
        "user": person.pk, "email": "taken.over@example.com", "verified": "on",
        "primary": "on"})

    assert response.status_code == 403
    address.refresh_from_db()
    assert address.email == person.email


def test_django_groups_are_not_a_second_way_to_hand_out_permissions(as_site_admin):
    response = as_site_admin.get("/admin/auth/group/add/")

    assert response.status_code == 404


# --- The sign-in address follows the account's email ---------------------------------------

def _with_verified_address(person):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(user=person, email=person.email,
                                          defaults={"verified": True, "primary": True})
    return person


def test_an_email_changed_in_the_admin_becomes_the_sign_in_address_to_verify(as_site_admin):
    from allauth.account.models import EmailAddress

    person = _with_verified_address(UserFactory(roles=[Role.APPLICANT]))

    response = as_site_admin.post(f"/admin/subsidy/user/{person.pk}/change/", {
        **_user_form(person), "email": "New.Address@Startup.example.hk"})

    assert response.status_code == 302
    assert list(EmailAddress.objects.filter(user=person)
                .values_list("email", "primary", "verified")) == [
        ("new.address@startup.example.hk", True, False)]


def test_the_old_address_no_longer_signs_in_after_an_email_change_in_the_admin(as_site_admin):
    from django.test import Client

    person = _with_verified_address(UserFactory(roles=[Role.APPLICANT]))
    person.set_password("Harbour-Lights-2026")
    person.save(update_fields=["password"])
    old_email = person.email

    as_site_admin.post(f"/admin/subsidy/user/{person.pk}/change/", {
        **_user_form(person), "email": "new.address@startup.example.hk"})

    visitor = Client()
    visitor.post("/accounts/login/", {"login": old_email, "password": "Harbour-Lights-2026"})
    assert "_auth_user_id" not in visitor.session


# --- Someone must be left to administer the system -----------------------------------------

def _own_form(site_admin, **changes) -> dict:
    """The administrator's own change form, as posted, keeping their admin-site access."""
    grant = UserRole.objects.get(user=site_admin, role=Role.ADMINISTRATOR)
    return {**_user_form(site_admin), "is_staff": "on", "is_superuser": "on",
            "role_grants-TOTAL_FORMS": "1", "role_grants-INITIAL_FORMS": "1",
            "role_grants-0-id": grant.pk, "role_grants-0-user": site_admin.pk,
            "role_grants-0-role": Role.ADMINISTRATOR, **changes}


@pytest.fixture
def last_administrator(site_admin):
    """``site_admin`` as the only active account holding the administrator role (a retired
    administrator, inactive, does not count)."""
    UserRole.objects.get_or_create(user=site_admin, role=Role.ADMINISTRATOR)
    UserFactory(roles=[Role.ADMINISTRATOR], is_active=False)
    return site_admin


def test_the_last_active_administrator_cannot_give_up_the_role_in_the_admin(as_site_admin,
                                                                          last_administrator):
    response = as_site_admin.post(
        f"/admin/subsidy/user/{last_administrator.pk}/change/",
        _own_form(last_administrator, **{"role_grants-0-DELETE": "on"}), follow=True)

    assert last_administrator.has_role(Role.ADMINISTRATOR)
    assert not AuditEvent.objects.filter(action="user.revoke_role").exists()
    assert "at least one active administrator" in response.content.decode()


def test_the_last_active_administrator_cannot_be_deactivated_in_the_admin(as_site_admin,
                                                                        last_administrator):
    form = _own_form(last_administrator)
    del form["is_active"]

    response = as_site_admin.post(f"/admin/subsidy/user/{last_administrator.pk}/change/", form,
                                  follow=True)

    last_administrator.refresh_from_db()
    assert last_administrator.is_active
    assert not AuditEvent.objects.filter(action="user.update_account").exists()
    assert "at least one active administrator" in response.content.decode()


def test_an_administrator_may_step_down_while_another_remains(as_site_admin,
                                                              last_administrator):
    UserFactory(roles=[Role.ADMINISTRATOR])

    response = as_site_admin.post(
        f"/admin/subsidy/user/{last_administrator.pk}/change/",
        _own_form(last_administrator, **{"role_grants-0-DELETE": "on"}))

    assert response.status_code == 302
    assert not UserRole.objects.filter(user=last_administrator,
                                       role=Role.ADMINISTRATOR).exists()


def test_another_administrator_may_be_deactivated_while_one_remains(as_site_admin,
                                                                    last_administrator):
    colleague = UserFactory(roles=[Role.ADMINISTRATOR])
    form = _user_form(colleague)
    del form["is_active"]

    response = as_site_admin.post(f"/admin/subsidy/user/{colleague.pk}/change/", form)

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert not colleague.is_active
