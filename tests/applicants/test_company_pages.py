"""The company pages through the client: registering a company, its profile, its members
and invitations, and what each member's role may do there."""

from django.urls import reverse

from applicants.models import Membership
from applicants.services.organisations import member_invite
from subsidy.platform.roles import Role
from tests.builders.accounts import confirm_identity
from tests.builders.applicants import member, stranger
from tests.factories import UserFactory


def url(name, *args):
    return reverse(f"applicants:{name}", args=args)


def test_another_companys_profile_is_not_found(client_for, organisation):
    assert client_for(stranger()).get(url("organisation", organisation.pk)).status_code == 404


# --- Company ----------------------------------------------------------------------------------

def test_registering_a_company(client_for, owner):
    response = client_for(owner).post(url("organisation_create"), {
        "name_en": "Harbour Speech AI Limited", "br_number": "71234567",
        "incorporation_date": "2024-03-01", "size": "1-9", "sector": "nlp"})
    organisation = owner.organisations.get()
    assert response["Location"] == url("organisation", organisation.pk)


def test_a_bad_br_number_is_shown_against_its_field(client_for, owner):
    response = client_for(owner).post(url("organisation_create"), {
        "name_en": "X Limited", "br_number": "123", "incorporation_date": "2024-03-01",
        "size": "1-9", "sector": "nlp"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert "8-digit" in response.content.decode()


def test_an_owner_invites_a_member(client_for, owner, organisation):
    response = confirm_identity(client_for(owner)).post(
        url("members", organisation.pk), {"email": "new@example.hk", "role": "editor"})
    assert response.status_code == 302
    assert organisation.invitations.get().email == "new@example.hk"


def test_a_viewer_cannot_invite(client_for, organisation):
    client = client_for(member(organisation, Membership.Role.VIEWER))
    response = client.post(url("members", organisation.pk), {"email": "a@b.hk",
                                                             "role": "owner"})
    assert response.status_code == 403


def test_an_invitation_is_accepted_from_its_link(client_for, owner, organisation):
    invitation = member_invite(actor=owner, organisation=organisation, email="new@example.hk",
                               role="viewer")
    invitee = UserFactory(email="new@example.hk")
    client = client_for(invitee)
    assert client.get(url("invitation", invitation.token)).status_code == 200
    client.post(url("invitation", invitation.token))
    assert organisation.memberships.filter(user=invitee, role="viewer").exists()


def test_the_last_owner_is_told_they_cannot_leave(client_for, owner, organisation):
    membership = organisation.memberships.get(user=owner)
    response = confirm_identity(client_for(owner)).post(
        url("member_remove", organisation.pk, membership.pk), follow=True)
    assert "last owner" in response.content.decode()
    assert organisation.memberships.filter(user=owner).exists()


# --- Each role on the company pages -----------------------------------------------------------

def test_a_viewer_sees_the_profile_read_only(client_for, organisation):
    client = client_for(member(organisation, Membership.Role.VIEWER))
    page = client.get(url("organisation", organisation.pk)).content.decode()
    assert organisation.br_number in page
    assert 'name="br_number"' not in page
    assert client.post(url("organisation", organisation.pk), {}).status_code == 403


def test_an_editor_edits_the_profile(client_for, organisation):
    client = client_for(member(organisation, Membership.Role.EDITOR))
    response = client.post(url("organisation", organisation.pk), {
        "name_en": "Renamed Limited", "br_number": organisation.br_number,
        "incorporation_date": "2023-01-15", "size": "10-49", "sector": "nlp"})
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.name_en, organisation.size) == ("Renamed Limited", "10-49")


def test_a_viewer_sees_members_without_the_invitation_form(client_for, organisation):
    client = client_for(member(organisation, Membership.Role.VIEWER))
    page = client.get(url("members", organisation.pk)).content.decode()
    assert 'name="email"' not in page


def test_an_owner_changes_a_members_role(client_for, owner, organisation):
    viewer = member(organisation, Membership.Role.VIEWER)
    membership = organisation.memberships.get(user=viewer)
    confirm_identity(client_for(owner)).post(url("member_role", organisation.pk, membership.pk),
                                             {"role": "editor"})
    membership.refresh_from_db()
    assert membership.role == "editor"


def test_a_member_of_another_company_cannot_touch_its_members(client_for, owner,
                                                              organisation):
    membership = organisation.memberships.get(user=owner)
    response = client_for(stranger()).post(url("member_remove", organisation.pk,
                                               membership.pk))
    assert response.status_code == 404


def test_a_new_user_is_invited_to_register_a_company(client_for, db):
    user = UserFactory(roles=[Role.APPLICANT])
    page = client_for(user).get(url("dashboard")).content.decode()
    assert url("organisation_create") in page
    assert client_for(user).get(url("application_new")).status_code == 200
