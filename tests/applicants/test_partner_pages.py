"""The company's partner page: owners approve or decline partners' requests and end links;
each answer is recorded with time and person."""

import pytest
from django.urls import reverse

from applicants.models import Membership, PartnerLink
from subsidy.platform.models import AuditEvent, PartnerOrganisation
from tests.builders.applicants import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(db):
    return PartnerOrganisation.objects.create(name="HKU iDendron",
                                              contact_email="api@idendron.example.hk")


@pytest.fixture
def request_(partner, organisation):
    return PartnerLink.objects.create(partner=partner, organisation=organisation,
                                      created_via="consent")


def answer_url(link, answer):
    return reverse("applicants:partner_link_answer",
                   args=[link.organisation_id, link.pk, answer])


def test_owner_sees_pending_requests(client, owner, organisation, request_):
    client.force_login(owner)

    response = client.get(reverse("applicants:partners", args=[organisation.pk]))

    assert response.status_code == 200
    assert "Allow HKU iDendron" in response.content.decode()


def test_owner_approves_a_request(client, owner, request_):
    client.force_login(owner)

    response = client.post(answer_url(request_, "approve"))

    assert response.status_code == 302
    request_.refresh_from_db()
    assert request_.is_active and request_.linked_by == owner
    assert AuditEvent.objects.filter(action="partner_link.approve", actor=owner).exists()


def test_owner_declines_a_request(client, owner, request_):
    client.force_login(owner)

    client.post(answer_url(request_, "revoke"))

    request_.refresh_from_db()
    assert request_.revoked_by == owner and request_.linked_at is None
    assert AuditEvent.objects.filter(action="partner_link.decline").exists()


def test_owner_ends_an_active_link(client, owner, request_):
    client.force_login(owner)
    client.post(answer_url(request_, "approve"))

    client.post(answer_url(request_, "revoke"))

    request_.refresh_from_db()
    assert request_.revoked_at is not None and not request_.is_active


def test_an_editor_sees_links_but_cannot_answer(client, organisation, request_):
    editor = member(organisation, Membership.Role.EDITOR)
    client.force_login(editor)

    page = client.get(reverse("applicants:partners", args=[organisation.pk]))
    client.post(answer_url(request_, "approve"))

    assert "Allow HKU iDendron" not in page.content.decode()
    request_.refresh_from_db()
    assert request_.is_pending


def test_another_companys_partner_page_is_not_found(client, request_):
    from tests.factories import MembershipFactory

    stranger = MembershipFactory().user
    client.force_login(stranger)

    assert client.get(reverse("applicants:partners",
                              args=[request_.organisation_id])).status_code == 404
    assert client.post(answer_url(request_, "approve")).status_code == 404


def test_an_unknown_answer_is_not_found(client, owner, request_):
    client.force_login(owner)

    assert client.post(answer_url(request_, "maybe")).status_code == 404


def test_partner_page_runs_a_fixed_number_of_queries(client, owner, organisation,
                                                     django_assert_num_queries):
    for n in range(6):
        partner = PartnerOrganisation.objects.create(name=f"Partner {n}",
                                                     contact_email=f"p{n}@example.hk")
        PartnerLink.objects.create(partner=partner, organisation=organisation,
                                   created_via="consent")
    client.force_login(owner)

    with django_assert_num_queries(7):
        response = client.get(reverse("applicants:partners", args=[organisation.pk]))
    assert response.status_code == 200
