"""On the partner's dashboard each application row links to a page the partner may see:
the application's status and history, never a staff page that would answer 403."""

import re

import pytest
from django.urls import reverse

from applicants.models import ApplicationStatus
from subsidy.platform.models import PartnerMember
from subsidy.platform.roles import Role
from tests.factories import ApplicationFactory, PartnerLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_client(client, partner):
    user = UserFactory(roles=[Role.PARTNER])
    PartnerMember.objects.create(partner=partner, user=user)
    client.force_login(user)
    return client


def linked_application(partner, **values):
    link = PartnerLinkFactory(partner=partner)
    values.setdefault("status", ApplicationStatus.SUBMITTED)
    return ApplicationFactory(organisation=link.organisation, **values)


def test_every_application_row_links_to_a_page_the_partner_may_open(partner_client, partner):
    linked_application(partner)
    linked_application(partner, status=ApplicationStatus.DRAFT)
    page = partner_client.get(reverse("partner:dashboard")).content.decode()
    table = page.split('id="applications"', 1)[1].split("</table>", 1)[0]
    links = re.findall(r'href="([^"]+)"', table)
    assert len(links) == 2
    for link in links:
        assert link.startswith("/partner/applications/")
        assert partner_client.get(link).status_code == 200


def test_the_page_shows_status_and_history_but_no_assessment(partner_client, partner):
    application = linked_application(partner, title="Cantonese clinic notes")
    page = partner_client.get(reverse("partner:application",
                                      args=[application.pk])).content.decode()
    assert "Cantonese clinic notes" in page
    assert application.reference in page
    assert "Steps still to come" in page
    assert reverse("staff:application", args=[application.pk]) not in page


def test_another_partners_application_is_not_found(partner_client, other_partner):
    application = linked_application(other_partner)
    response = partner_client.get(reverse("partner:application", args=[application.pk]))
    assert response.status_code == 404


def test_an_unlinked_companys_application_is_not_found(partner_client, partner):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    response = partner_client.get(reverse("partner:application", args=[application.pk]))
    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.PROGRAMME_OFFICER])
def test_people_who_are_not_partners_are_refused(client, partner, role):
    application = linked_application(partner)
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("partner:application", args=[application.pk]))
    assert response.status_code == 403
