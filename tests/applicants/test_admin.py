"""Companies, their members and invitations change on the company pages, through the
audited services; the admin shows them read-only, so no one can make themselves a
company's owner there."""

import pytest

from applicants.models import Invitation, Membership, Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRegistrationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _organisation_form(organisation, **memberships) -> dict:
    return {
        "name_en": organisation.name_en, "name_zh": organisation.name_zh,
        "br_number": organisation.br_number, "incorporation_date": "2023-01-15",
        "size": organisation.size, "sector": organisation.sector, "website": "",
        "created_at_0": "2026-01-05", "created_at_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0", **memberships,
    }


def test_an_administrator_cannot_make_themselves_a_company_owner(as_site_admin,
                                                                 site_admin):
    organisation = OrganisationFactory()
    founder = MembershipFactory(organisation=organisation, role=Membership.Role.OWNER)

    response = as_site_admin.post(
        f"/admin/applicants/organisation/{organisation.pk}/change/", _organisation_form(
            organisation, **{"memberships-TOTAL_FORMS": "2", "memberships-INITIAL_FORMS": "1",
                             "memberships-0-id": founder.pk,
                             "memberships-0-organisation": organisation.pk,
                             "memberships-0-user": founder.user_id,
                             "memberships-0-role": Membership.Role.OWNER,
                             "memberships-0-joined_at_0": "2026-01-05",
                             "memberships-0-joined_at_1": "09:00:00",
                             "memberships-1-organisation": organisation.pk,
                             "memberships-1-user": site_admin.pk,
                             "memberships-1-role": Membership.Role.OWNER,
                             "memberships-1-joined_at_0": "2026-01-05",
                             "memberships-1-joined_at_1": "09:00:00"}))

    assert response.status_code == 403
    assert list(organisation.memberships.values_list("user", flat=True)) == [founder.user_id]


def test_the_company_page_in_the_admin_shows_its_members_read_only(as_site_admin):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, user=UserFactory(full_name="Olivia Owner"),
                      role=Membership.Role.OWNER)

    response = as_site_admin.get(f"/admin/applicants/organisation/{organisation.pk}/change/")

    assert response.status_code == 200
    assert "Olivia Owner" in response.content.decode()
    [memberships] = response.context["inline_admin_formsets"]
    assert not memberships.has_add_permission
    assert not memberships.has_change_permission
    assert not memberships.has_delete_permission


def test_companies_and_invitations_are_not_added_or_deleted_in_the_admin(as_site_admin):
    organisation = OrganisationFactory()

    assert as_site_admin.get("/admin/applicants/organisation/add/").status_code == 403
    assert as_site_admin.get("/admin/applicants/invitation/add/").status_code == 403
    deleted = as_site_admin.post(f"/admin/applicants/organisation/{organisation.pk}/delete/",
                                    {"post": "yes"})
    assert deleted.status_code == 403
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert not Invitation.objects.exists()


def test_partner_registrations_are_shown_read_only_without_their_token(as_site_admin):
    registration = OrganisationRegistrationFactory(owner_email="founder@example.hk")

    listed = as_site_admin.get("/admin/applicants/organisationregistration/")
    shown = as_site_admin.get(
        f"/admin/applicants/organisationregistration/{registration.pk}/change/")

    assert "founder@example.hk" in listed.content.decode()
    assert registration.token_hash not in shown.content.decode()
    assert as_site_admin.get(
        "/admin/applicants/organisationregistration/add/").status_code == 403
