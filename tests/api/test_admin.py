import re

import pytest

from subsidy.api.models import ApiKey
from subsidy.api.services.keys import api_key_authenticate
from subsidy.platform.models import AuditEvent, PartnerMember, PartnerOrganisation
from subsidy.platform.roles import Role
from tests.builders.accounts import confirm_identity
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    administrator = UserFactory(roles=[Role.ADMINISTRATOR], is_staff=True)
    client.force_login(administrator)
    # Issuing and revoking keys ask for the password again (the step-up).
    return confirm_identity(client)


def test_issuing_a_key_in_the_admin_shows_it_once(admin_client, partner):
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Portal", "partner": partner.pk, "scopes": ["rounds:read", "webhooks:manage"],
    }, follow=True)

    [plaintext] = re.findall(r"aiss_[\w-]+", response.content.decode())
    assert api_key_authenticate(plaintext) == ApiKey.objects.get()
    assert plaintext not in admin_client.get("/admin/subsidy/apikey/").content.decode()
    api_key = ApiKey.objects.get()
    assert plaintext not in admin_client.get(
        f"/admin/subsidy/apikey/{api_key.pk}/change/").content.decode()


def test_admin_refuses_a_key_for_a_non_staff_user(admin_client):
    applicant = UserFactory(roles=[Role.APPLICANT])
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Mine", "user": applicant.pk, "scopes": ["rounds:read"]})
    assert response.status_code == 200
    assert not ApiKey.objects.exists()


def test_the_key_form_offers_only_staff_users(admin_client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER], full_name="Olivia Officer")
    UserFactory(roles=[Role.APPLICANT], full_name="Amy Applicant")
    UserFactory(roles=[Role.PARTNER], full_name="Peter Partner")

    form = admin_client.get("/admin/subsidy/apikey/add/").context["adminform"].form

    offered = list(form.fields["user"].queryset)
    assert officer in offered
    assert {user.full_name for user in offered} & {"Amy Applicant", "Peter Partner"} == set()


def test_revoke_action_revokes_and_audits(admin_client, partner, issue_key):
    issue_key(partner=partner)
    api_key = ApiKey.objects.get()
    admin_client.post("/admin/subsidy/apikey/", {"action": "revoke",
                                                 "_selected_action": [api_key.pk]})
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoke").count() == 1


def test_api_keys_are_hidden_from_staff_who_are_not_administrators(client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER], is_staff=True)
    client.force_login(officer)
    assert client.get("/admin/subsidy/apikey/").status_code == 403


def test_partner_changes_in_the_admin_are_audited(admin_client, partner):
    admin_client.post(f"/admin/subsidy/partnerorganisation/{partner.pk}/change/", {
        "name": partner.name, "contact_email": partner.contact_email,  # active unticked
        **NO_MEMBERS})
    partner.refresh_from_db()
    assert partner.active is False
    event = AuditEvent.objects.get(action="partner.change")
    assert event.before["active"] is True and event.after["active"] is False


def test_partner_created_in_the_admin_is_audited(admin_client):
    admin_client.post("/admin/subsidy/partnerorganisation/add/", {
        "name": "CUHK Incubator", "contact_email": "api@cuhk.example.hk", "active": "on",
        **NO_MEMBERS})
    partner = PartnerOrganisation.objects.get()
    assert AuditEvent.objects.filter(action="partner.create", object_id=str(partner.pk)).exists()


# --- The people who use the partner's pages --------------------------------------------------

NO_MEMBERS = {"members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"}


def _change_partner(admin_client, partner, members: dict):
    return admin_client.post(f"/admin/subsidy/partnerorganisation/{partner.pk}/change/", {
        "name": partner.name, "contact_email": partner.contact_email, "active": "on",
        **members})


def test_a_partner_person_is_linked_in_the_admin_and_audited(admin_client, partner):
    person = UserFactory(roles=[Role.PARTNER])

    response = _change_partner(admin_client, partner, {
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0", "members-0-user": person.pk})

    assert response.status_code == 302
    assert PartnerMember.objects.get().user == person
    event = AuditEvent.objects.get(action="partner_member.add")
    assert event.after == {"partner": partner.name, "user": person.email}


def test_only_people_with_the_partner_role_can_be_linked(admin_client, partner):
    applicant = UserFactory(roles=[Role.APPLICANT])

    response = _change_partner(admin_client, partner, {
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "0",
        "members-0-user": applicant.pk})

    assert response.status_code == 200
    assert "Only people with the partner role" in response.content.decode()
    assert not PartnerMember.objects.exists()


def test_unlinking_a_partner_person_is_audited(admin_client, partner):
    person = UserFactory(roles=[Role.PARTNER])
    member = PartnerMember.objects.create(partner=partner, user=person)

    _change_partner(admin_client, partner, {
        "members-TOTAL_FORMS": "1", "members-INITIAL_FORMS": "1",
        "members-0-id": member.pk, "members-0-partner": partner.pk,
        "members-0-user": person.pk, "members-0-DELETE": "on"})

    assert not PartnerMember.objects.exists()
    assert AuditEvent.objects.filter(action="partner_member.remove").count() == 1


def test_a_key_the_service_refuses_is_not_issued_and_the_reason_shown(admin_client, partner):
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Portal", "partner": partner.pk, "scopes": ["rounds:read"],
        "expires_at_0": "2020-01-01", "expires_at_1": "09:00:00"}, follow=True)

    assert response.status_code == 200
    assert "The expiry must be in the future." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_admin_refuses_a_partner_key_that_reads_finance_reports(admin_client, partner):
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Portal", "partner": partner.pk, "scopes": ["rounds:read", "reports:read"]})

    assert response.status_code == 200
    assert "cannot use: reports:read" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_admin_refuses_a_staff_key_that_manages_webhooks(admin_client):
    officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Finance", "user": officer.pk, "scopes": ["reports:read", "webhooks:manage"]})

    assert response.status_code == 200
    assert not ApiKey.objects.exists()


def test_the_service_refuses_scopes_that_cannot_work(administrator, partner):
    from subsidy.api.services.keys import api_key_create
    from subsidy.platform.errors import DomainError

    with pytest.raises(DomainError, match="reports:read"):
        api_key_create(actor=administrator, name="P", partner=partner,
                       scopes=["reports:read"])


def test_the_centre_s_key_is_issued_in_the_admin_with_its_signing_secret_shown_once(
        admin_client):
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "AISC statements", "aisc": "on", "scopes": ["aisc:statements"]}, follow=True)

    page = response.content.decode()
    [plaintext] = re.findall(r"aiss_[\w-]+", page)
    [secret] = re.findall(r"aiscsig_[\w-]+", page)
    api_key = api_key_authenticate(plaintext)
    assert (api_key.kind, api_key.signing_secret) == (ApiKey.Kind.AISC, secret)
    assert secret not in admin_client.get(
        f"/admin/subsidy/apikey/{api_key.pk}/change/").content.decode()


def test_admin_refuses_the_centre_s_scope_on_a_partner_key(admin_client, partner):
    response = admin_client.post("/admin/subsidy/apikey/add/", {
        "name": "Portal", "partner": partner.pk, "scopes": ["aisc:statements"]})

    assert response.status_code == 200
    assert "cannot use: aisc:statements" in response.content.decode()
    assert not ApiKey.objects.exists()
