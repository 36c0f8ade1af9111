"""Accepting an offer is signing its agreement, from the signing page: an owner, with name
and title, after confirming who they are; the exact bytes signed are kept with their hash,
the time and the address, and both sides can download them."""

import hashlib

import pytest
from django.urls import reverse

from applicants.models import Application, Membership
from applicants.workflow import application_transition
from subsidy.agreements.models import ConditionPrecedent, GrantAgreement
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.scheme.models import Grant
from tests.builders.accounts import confirm_identity
from tests.builders.agreements import shown_sha256, sign_from_page
from tests.builders.applicants import member
from tests.factories import ConditionPrecedentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _sign_url(grant):
    return reverse("agreements:sign", args=[grant.pk])


def _status(grant):
    return Application.objects.get(pk=grant.application_id).status


def test_the_owner_signs_and_the_exact_document_is_kept_with_who_when_and_where(
        client, settings, offered_grant):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(offered_grant.owner)
    page = client.get(_sign_url(offered_grant)).content.decode()
    shown = client.get(reverse("agreements:offer_document", args=[offered_grant.pk])).content
    assert shown_sha256(page) == hashlib.sha256(shown).hexdigest()
    confirm_identity(client)

    response = client.post(_sign_url(offered_grant), {
        "signer_name": "Chan Tai Man", "signer_title": "Director", "confirm": "on",
        "document_sha256": shown_sha256(page)}, HTTP_X_FORWARDED_FOR="198.51.100.23",
        REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 302
    agreement = GrantAgreement.objects.get(grant=offered_grant)
    assert bytes(agreement.document) == shown
    assert agreement.sha256 == hashlib.sha256(shown).hexdigest()
    assert (agreement.signer_name, agreement.signer_title) == ("Chan Tai Man", "Director")
    assert agreement.signed_by == offered_grant.owner
    assert agreement.ip_address == "198.51.100.23"
    assert (_status(offered_grant), Grant.objects.get(pk=offered_grant.pk).status) == (
        "accepted", "accepted")
    assert list(ConditionPrecedent.objects.filter(grant=offered_grant)
                .values_list("number", "status")) == [(1, "open"), (2, "open")]
    event = AuditEvent.objects.get(action="grant.agreement_sign")
    assert event.after["sha256"] == agreement.sha256
    assert event.after["ip_address"] == "198.51.100.23"


def test_signing_asks_for_the_password_again_first(client, offered_grant):
    client.force_login(offered_grant.owner)
    page = client.get(_sign_url(offered_grant)).content.decode()
    response = client.post(_sign_url(offered_grant), {
        "signer_name": "Chan Tai Man", "signer_title": "Director", "confirm": "on",
        "document_sha256": shown_sha256(page)})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not GrantAgreement.objects.exists()
    assert _status(offered_grant) == "offered"


def test_a_document_changed_since_it_was_shown_is_not_signed(client, offered_grant):
    client.force_login(offered_grant.owner)
    page = client.get(_sign_url(offered_grant)).content.decode()
    # The officer corrects the conditions while the owner reads.
    Grant.objects.filter(pk=offered_grant.pk).update(conditions="A new condition.")
    confirm_identity(client)
    response = client.post(_sign_url(offered_grant), {
        "signer_name": "Chan Tai Man", "signer_title": "Director", "confirm": "on",
        "document_sha256": shown_sha256(page)})

    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "changed after you opened it" in body
    # The page now carries the current version, which can be signed.
    assert shown_sha256(body) != shown_sha256(page)
    assert not GrantAgreement.objects.exists()
    assert _status(offered_grant) == "offered"


def test_name_title_and_confirmation_are_asked_for_in_the_error_summary(client, offered_grant):
    client.force_login(offered_grant.owner)
    page = client.get(_sign_url(offered_grant)).content.decode()
    confirm_identity(client)
    response = client.post(_sign_url(offered_grant), {"document_sha256": shown_sha256(page)})
    body = response.content.decode()
    assert 'href="#id_signer_name"' in body and 'href="#id_signer_title"' in body
    assert "Tick the box" in body
    assert not GrantAgreement.objects.exists()


def test_an_editor_may_read_but_not_sign_and_another_company_sees_nothing(client,
                                                                          offered_grant):
    organisation = offered_grant.application.organisation
    client.force_login(member(organisation, Membership.Role.EDITOR))
    assert client.get(_sign_url(offered_grant)).status_code == 403
    assert client.get(reverse("agreements:offer_document",
                              args=[offered_grant.pk])).status_code == 200
    client.force_login(MembershipFactory(role="owner").user)
    assert client.get(_sign_url(offered_grant)).status_code == 404
    assert client.get(reverse("agreements:offer_document",
                              args=[offered_grant.pk])).status_code == 404


def test_no_way_round_the_signature_accepts_an_offer(offered_grant):
    with pytest.raises(DomainError, match="means signing"):
        application_transition(actor=offered_grant.owner,
                               application=offered_grant.application,
                               transition_name="accept_offer")
    assert _status(offered_grant) == "offered"


def test_the_signed_copy_is_downloaded_by_the_company_and_staff_only(client, signed_grant):
    agreement = GrantAgreement.objects.get(grant=signed_grant)
    url = reverse("agreements:signed_document", args=[signed_grant.pk, 1])
    viewer = member(signed_grant.application.organisation, Membership.Role.VIEWER)
    for user in (viewer, UserFactory(roles=[Role.PROGRAMME_OFFICER]),
                 UserFactory(roles=[Role.FINANCE_OFFICER])):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == agreement.sha256
    client.force_login(MembershipFactory().user)
    assert client.get(url).status_code == 404
    # Once answered, the offer's draft is gone: only the signed copy remains.
    client.force_login(signed_grant.owner)
    assert client.get(reverse("agreements:offer_document",
                              args=[signed_grant.pk])).status_code == 404


def test_the_application_page_keeps_the_terms_after_acceptance(client, signed_grant):
    client.force_login(signed_grant.owner)
    page = client.get(reverse("applicants:application",
                              args=[signed_grant.application_id])).content.decode()
    assert "HK$1,000,000.00" in page
    assert "Sign the data-sharing agreement with the clinics." in page
    assert reverse("agreements:signed_document", args=[signed_grant.pk, 1]) in page
    assert "Signed by Chan Tai Man, Director" in page


def test_the_offer_is_signed_from_the_chinese_pages(client, offered_grant):
    client.force_login(offered_grant.owner)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    application_page = client.get(reverse("applicants:application",
                                          args=[offered_grant.application_id])).content.decode()
    assert "閱讀並簽署協議" in application_page
    page = client.get(_sign_url(offered_grant)).content.decode()
    assert "簽署要約書及資助協議" in page
    response = sign_from_page(client, offered_grant.application, name="陳大文", title="董事")
    assert response.status_code == 302
    agreement = GrantAgreement.objects.get(grant=offered_grant)
    assert (agreement.signer_name, agreement.signer_title) == ("陳大文", "董事")
    page = client.get(reverse("applicants:application",
                              args=[offered_grant.application_id])).content.decode()
    assert "先決條件" in page and "由陳大文（董事）簽署" in page


@pytest.mark.parametrize("page", ["application", "grant"])
def test_the_terms_pages_ask_a_fixed_number_of_queries_however_many_conditions(
        client, signed_grant, page, django_assert_num_queries):
    url = (reverse("applicants:application", args=[signed_grant.application_id])
           if page == "application" else reverse("finance:grant", args=[signed_grant.pk]))
    expected = {"application": 16, "grant": 12}[page]
    client.force_login(signed_grant.owner)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    for number in range(3, 13):
        ConditionPrecedentFactory(grant=signed_grant, number=number)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
