"""Organisations through the partner API: registration confirmed by the owner the partner
names, link requests answered by owners, and the audit of who did it."""

import pytest
from django.core import mail
from django.utils import translation

from applicants.models import (
    LinkRequest,
    Membership,
    Organisation,
    OrganisationRegistration,
    PartnerLink,
)
from applicants.services.partners import partner_link_approve, partner_link_revoke
from subsidy.api.models import ApiKey
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.webhooks.models import WebhookDelivery
from subsidy.webhooks.services.delivery import webhook_endpoint_create
from tests.builders.partners import link, registration_confirmed
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PROFILE = {"name_en": "Kowloon Vision Limited", "name_zh": "九龍視覺有限公司",
           "br_number": "27182818", "incorporation_date": "2024-02-01", "size": "1-9",
           "sector": "computer_vision", "owner_email": "Founder@KowloonVision.example.hk"}
FOUNDER = "founder@kowloonvision.example.hk"


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.deactivate()


def registered(partner_client, br_number="27182818") -> dict:
    """The linked company with ``br_number``, as the list filtered by it shows it."""
    (organisation,) = partner_client.get(
        "/api/v1/organisations/", {"br_number": br_number}).json()["results"]
    return organisation


def test_a_registered_company_is_linked_once_its_named_owner_confirms(partner_client,
                                                                     partner):
    response = partner_client.post("/api/v1/organisations/", PROFILE, format="json")

    assert response.status_code == 202, response.json()
    assert response.json() == {"br_number": "27182818", "status": "requested"}
    assert not Organisation.objects.exists()
    registration_confirmed(FOUNDER)
    body = registered(partner_client)
    assert body["created_via"] == "api"
    assert body["linked_at"]
    link_row = PartnerLink.objects.get(organisation_id=body["id"])
    assert link_row.partner == partner and link_row.is_active
    assert link_row.linked_by.email == FOUNDER
    (request,) = partner_client.get("/api/v1/organisations/link-requests/").json()["results"]
    assert (request["status"], request["organisation"]) == ("linked", body["id"])


def test_registering_a_registered_company_reveals_nothing(partner_client, partner,
                                                          english,
                                                          django_capture_on_commit_callbacks):
    """The answer is the same as for a new company; the owners are asked to link it, as
    by a link request, and nothing about the company reaches the partner."""
    owner = MembershipFactory(organisation=OrganisationFactory(br_number="16180339"),
                              role=Membership.Role.OWNER).user
    new = partner_client.post("/api/v1/organisations/", PROFILE, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        existing = partner_client.post("/api/v1/organisations/",
                                       {**PROFILE, "br_number": "16180339"}, format="json")

    assert existing.status_code == new.status_code == 202
    assert existing.json() == {**new.json(), "br_number": "16180339"}
    assert existing["Content-Type"] == new["Content-Type"]
    pending = PartnerLink.objects.get(partner=partner, organisation__br_number="16180339")
    assert pending.is_pending and pending.created_via == "consent"
    assert partner_client.get("/api/v1/organisations/",
                              {"br_number": "16180339"}).json()["results"] == []
    assert owner.email in [m.to[0] for m in mail.outbox]


def test_registration_asks_the_named_owner_by_email(partner_client,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        partner_client.post("/api/v1/organisations/", PROFILE, format="json")

    registration = OrganisationRegistration.objects.get()
    assert registration.owner_email == FOUNDER
    assert registration.profile["name_en"] == "Kowloon Vision Limited"
    assert [m.to for m in mail.outbox] == [[FOUNDER]]
    assert "HKU iDendron" in mail.outbox[0].body
    assert "/applicant/registrations/" in mail.outbox[0].body


def test_the_named_owner_becomes_owner_of_the_company(partner_client):
    partner_client.post("/api/v1/organisations/", PROFILE, format="json")

    organisation = registration_confirmed(FOUNDER)

    membership = organisation.memberships.get()
    assert (membership.user.email, membership.role) == (FOUNDER, Membership.Role.OWNER)
    assert membership.user.has_role(Role.APPLICANT)


def test_creation_uses_the_web_rules_and_messages(partner_client):
    response = partner_client.post("/api/v1/organisations/",
                                   {**PROFILE, "br_number": "2718281"}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["br_number"] == [
        "Enter the 8-digit Business Registration number, e.g. 12345678."]


def test_registration_is_audited_as_the_partner_key_then_the_owner(partner_client):
    partner_client.post("/api/v1/organisations/", PROFILE, format="json")
    organisation = registration_confirmed(FOUNDER)

    asked = AuditEvent.objects.get(action="organisation_registration.request")
    key = ApiKey.objects.get()
    assert asked.actor is None
    assert asked.actor_label == f"partner:HKU iDendron (key {key.prefix})"
    assert asked.after["owner_invited"] == FOUNDER
    created = AuditEvent.objects.get(action="organisation.create",
                                     object_id=str(organisation.pk))
    assert created.actor.email == FOUNDER
    assert created.after["registered_by_partner"] == "HKU iDendron"
    assert AuditEvent.objects.filter(action="organisation_registration.confirm",
                                     actor=created.actor).exists()
    assert AuditEvent.objects.filter(action="partner_link.create",
                                     actor=created.actor).exists()


def test_the_partner_webhooks_hear_of_the_company_only_once_confirmed(partner,
                                                                      partner_client,
                                                                      settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/hook",
                            event_types=["organisation.linked"])

    partner_client.post("/api/v1/organisations/", PROFILE, format="json")
    assert not WebhookDelivery.objects.exists()
    registration_confirmed(FOUNDER)

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "organisation.linked"
    assert delivery.payload["data"]["organisation"]["br_number"] == "27182818"


def test_list_shows_only_linked_organisations(partner_client, partner, linked_organisation):
    OrganisationFactory()  # not linked
    pending = OrganisationFactory()
    PartnerLink.objects.create(partner=partner, organisation=pending, created_via="consent")

    response = partner_client.get("/api/v1/organisations/")

    assert response.status_code == 200
    assert [o["id"] for o in response.json()["results"]] == [linked_organisation.pk]


def test_unlinked_organisation_is_not_found(partner_client):
    other = OrganisationFactory()

    response = partner_client.get(f"/api/v1/organisations/{other.pk}/")

    assert response.status_code == 404


def test_revoked_link_hides_the_organisation(partner_client, partner, linked_organisation):
    owner = MembershipFactory(organisation=linked_organisation).user
    partner_link_revoke(actor=owner, link=PartnerLink.objects.get(partner=partner))

    response = partner_client.get(f"/api/v1/organisations/{linked_organisation.pk}/")

    assert response.status_code == 404


def test_link_request_for_an_existing_company_waits_for_the_owner(partner_client, partner):
    existing = OrganisationFactory(br_number="16180339")

    response = partner_client.post("/api/v1/organisations/link-requests/",
                                   {"br_number": "16180339"}, format="json")

    assert response.status_code == 202
    assert response.json() == {"br_number": "16180339", "status": "requested"}
    request = PartnerLink.objects.get(partner=partner, organisation=existing)
    assert request.is_pending
    assert partner_client.get(f"/api/v1/organisations/{existing.pk}/").status_code == 404


def test_link_request_answers_the_same_for_an_unknown_number(partner_client):
    response = partner_client.post("/api/v1/organisations/link-requests/",
                                   {"br_number": "99999999"}, format="json")

    assert response.status_code == 202
    assert not PartnerLink.objects.exists()


def test_owner_approval_links_the_company(partner_client, partner):
    owner = UserFactory(roles=[Role.APPLICANT])
    existing = MembershipFactory(user=owner, organisation__br_number="16180339").organisation
    partner_client.post("/api/v1/organisations/link-requests/", {"br_number": "16180339"},
                        format="json")

    approved = partner_link_approve(actor=owner, link=PartnerLink.objects.get())

    assert approved.linked_by == owner and approved.linked_at is not None
    response = partner_client.get(f"/api/v1/organisations/{existing.pk}/")
    assert response.status_code == 200
    assert response.json()["created_via"] == "consent"


def test_only_an_owner_may_approve_a_link(partner):
    editor_membership = MembershipFactory(role=Membership.Role.EDITOR)
    request = PartnerLink.objects.create(partner=partner,
                                         organisation=editor_membership.organisation,
                                         created_via="consent")

    from subsidy.platform.errors import PermissionDeniedError
    with pytest.raises(PermissionDeniedError):
        partner_link_approve(actor=editor_membership.user, link=request)


def test_revocation_is_recorded_with_time_and_person(partner, linked_organisation):
    owner = MembershipFactory(organisation=linked_organisation).user
    active = PartnerLink.objects.get(partner=partner)

    revoked = partner_link_revoke(actor=owner, link=active)

    assert revoked.revoked_by == owner and revoked.revoked_at is not None
    assert AuditEvent.objects.filter(action="partner_link.revoke", actor=owner).exists()


def test_a_new_request_is_possible_after_revocation(partner_client, partner,
                                                    linked_organisation):
    owner = MembershipFactory(organisation=linked_organisation).user
    partner_link_revoke(actor=owner, link=PartnerLink.objects.get(partner=partner))

    partner_client.post("/api/v1/organisations/link-requests/",
                        {"br_number": linked_organisation.br_number}, format="json")

    assert PartnerLink.objects.filter(partner=partner, revoked_at__isnull=True).get().is_pending


def test_staff_key_cannot_list_organisations(issue_key, client_for, administrator):
    # A key issued before staff keys were limited to the scopes they can use.
    staff = client_for(issue_key(user=administrator))
    ApiKey.objects.update(scopes=["applications:read"])

    response = staff.get("/api/v1/organisations/")

    assert response.status_code == 403
    assert response.json()["code"] == "partner_key_required"


def test_organisation_list_needs_the_read_scope(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["rounds:read"]))

    assert client.get("/api/v1/organisations/").status_code == 403


def test_creation_needs_the_write_scope(partner, issue_key, client_for):
    client = client_for(issue_key(partner=partner, scopes=["applications:read"]))

    response = client.post("/api/v1/organisations/", PROFILE, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_creation_replays_with_the_same_idempotency_key(partner_client):
    first = partner_client.post("/api/v1/organisations/", PROFILE, format="json",
                                HTTP_IDEMPOTENCY_KEY="org-1")
    second = partner_client.post("/api/v1/organisations/", PROFILE, format="json",
                                 HTTP_IDEMPOTENCY_KEY="org-1")

    assert second.status_code == 202
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert OrganisationRegistration.objects.count() == 1
    assert LinkRequest.objects.count() == 1


def test_organisation_list_runs_a_fixed_number_of_queries(partner_client, partner,
                                                          django_assert_num_queries):
    for _ in range(3):
        link(partner, OrganisationFactory())
    # The key's first request records its last use (refreshed at most once a minute).
    with django_assert_num_queries(3):
        partner_client.get("/api/v1/organisations/?page_size=200")
    for _ in range(20):
        link(partner, OrganisationFactory())

    with django_assert_num_queries(2):
        response = partner_client.get("/api/v1/organisations/?page_size=200")
    assert len(response.json()["results"]) == 23


def test_ending_a_link_tells_the_partner_webhooks(partner, linked_organisation, settings):
    settings.WEBHOOKS_ALLOW_INSECURE = True
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    webhook_endpoint_create(partner=partner, url="http://127.0.0.1:9/hook",
                            event_types=["organisation.unlinked"])
    owner = MembershipFactory(organisation=linked_organisation).user

    partner_link_revoke(actor=owner, link=PartnerLink.objects.get(partner=partner))

    delivery = WebhookDelivery.objects.get()
    assert delivery.event_type == "organisation.unlinked"
    assert delivery.payload["data"]["revoked_at"]
