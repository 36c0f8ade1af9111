"""Partner A can neither see nor change partner B's organisations and applications, by any
identifier: everything that is not linked to the partner answers 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applicants.models import Application, PartnerLink
from applicants.services.drafts import application_create_draft
from applicants.services.partners import partner_link_revoke
from applicants.workflow import application_transition
from tests.builders.applicants import fill, pdf_bytes
from tests.builders.partners import link
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]


@pytest.fixture
def owner(db):
    from subsidy.platform.roles import Role
    from tests.factories import UserFactory

    return UserFactory(roles=[Role.APPLICANT])


@pytest.fixture
def b_application(other_partner, owner, open_round):
    """Partner B's submitted application, with a reference."""
    organisation = MembershipFactory(user=owner).organisation
    link(other_partner, organisation)
    application = application_create_draft(actor=owner, organisation=organisation,
                                           round_=open_round)
    fill(owner, application)
    application_transition(actor=owner, application=application, transition_name="submit")
    application.refresh_from_db()
    return application


@pytest.fixture
def a_client(partner_client):
    return partner_client


def identifiers(application):
    return [str(application.public_id), application.reference]


@pytest.mark.parametrize("suffix", ["", "history/"])
def test_reads_of_another_partners_application_are_not_found(a_client, b_application,
                                                             suffix):
    for identifier in identifiers(b_application):
        response = a_client.get(f"/api/v1/applications/{identifier}/{suffix}")
        assert response.status_code == 404, identifier
        assert response.json()["detail"] == "Not found."


@pytest.mark.parametrize(("suffix", "body"), [
    ("withdraw/", {}), ("submit/", None), ("documents/", "upload")])
def test_writes_to_another_partners_application_are_not_found(a_client, b_application,
                                                              suffix, body):
    for identifier in identifiers(b_application):
        if body == "upload":
            response = a_client.post(
                f"/api/v1/applications/{identifier}/{suffix}",
                {"document_type": "business_plan",
                 "file": SimpleUploadedFile("x.pdf", pdf_bytes())}, format="multipart")
        else:
            response = a_client.post(f"/api/v1/applications/{identifier}/{suffix}", body,
                                     format="json")
        assert response.status_code == 404, identifier
    b_application.refresh_from_db()
    assert b_application.status == "submitted"
    assert b_application.documents.count() == 1


def test_patch_of_another_partners_application_is_not_found(a_client, b_application):
    response = a_client.patch(f"/api/v1/applications/{b_application.public_id}/",
                              {"title": "Taken over", "version": b_application.version},
                              format="json")

    assert response.status_code == 404
    b_application.refresh_from_db()
    assert b_application.title != "Taken over"


def test_another_partners_organisation_is_not_found(a_client, b_application):
    response = a_client.get(f"/api/v1/organisations/{b_application.organisation_id}/")

    assert response.status_code == 404


def test_lists_and_events_show_nothing_of_another_partner(a_client, b_application):
    assert a_client.get("/api/v1/applications/").json()["results"] == []
    assert a_client.get("/api/v1/organisations/").json()["results"] == []
    assert a_client.get("/api/v1/events/").json()["results"] == []


def test_filtering_by_another_partners_organisation_finds_nothing(a_client, b_application):
    response = a_client.get(f"/api/v1/applications/?organisation={b_application.organisation_id}")

    assert response.json()["results"] == []


def test_a_draft_cannot_be_started_for_another_partners_organisation(a_client, b_application,
                                                                     open_round):
    count = Application.objects.count()

    response = a_client.post("/api/v1/applications/",
                             {"organisation": b_application.organisation_id,
                              "round": open_round.code}, format="json")

    assert response.status_code == 400
    assert Application.objects.count() == count


def test_a_pending_request_gives_no_access(a_client, partner, b_application):
    PartnerLink.objects.create(partner=partner, organisation=b_application.organisation,
                               created_via="consent")

    response = a_client.get(f"/api/v1/applications/{b_application.reference}/")

    assert response.status_code == 404


def test_both_partners_linked_to_one_company_each_see_it(a_client, partner, b_application):
    link(partner, b_application.organisation)

    response = a_client.get(f"/api/v1/applications/{b_application.reference}/")

    assert response.status_code == 200


def test_revocation_ends_access_at_once(a_client, partner, owner, b_application):
    active = link(partner, b_application.organisation)
    partner_link_revoke(actor=owner, link=active)

    response = a_client.post(f"/api/v1/applications/{b_application.reference}/withdraw/",
                             {}, format="json")

    assert response.status_code == 404
