"""A partner's request to act for an existing company reaches each of its owners by email and
in the inbox, in the owner's language, with a link to the page where they answer."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from applicants.models import Membership, PartnerLink
from applicants.services.partners import partner_link_request
from subsidy.api.auth import PartnerClient
from subsidy.api.models import ApiKey
from subsidy.api.services.keys import api_key_create
from subsidy.notifications.models import Notification
from subsidy.platform.models import PartnerOrganisation
from subsidy.platform.roles import Role
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_of_partner(db):
    partner = PartnerOrganisation.objects.create(name="HKU iDendron",
                                                 contact_email="api@idendron.example.hk")
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    api_key_create(actor=admin, name="Portal", scopes=["applications:write"], partner=partner)
    return PartnerClient(partner=partner, api_key=ApiKey.objects.get())


@pytest.fixture
def company(db):
    return OrganisationFactory(br_number="16180339", name_en="Lion Rock Language Limited",
                               name_zh="獅子山語言有限公司")


def owner_of(company, *, language, email):
    user = UserFactory(email=email, language=language, roles=[Role.APPLICANT])
    MembershipFactory(user=user, organisation=company, role=Membership.Role.OWNER)
    return user


def request_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return partner_link_request(client=client, br_number="16180339")


def test_each_owner_is_told_in_their_own_language_with_the_answer_page(
        client_of_partner, company, django_capture_on_commit_callbacks):
    english = owner_of(company, language="en", email="amy@lionrock.example.hk")
    chinese = owner_of(company, language="zh-hant", email="tai.man@lionrock.example.hk")
    MembershipFactory(organisation=company, role=Membership.Role.EDITOR,
                      user__email="editor@lionrock.example.hk")

    request_link(client_of_partner, django_capture_on_commit_callbacks)

    page = reverse("applicants:partners", args=[company.pk])
    sent = {message.to[0]: message for message in mail.outbox}
    assert set(sent) == {english.email, chinese.email}
    assert sent[english.email].subject == "HKU iDendron asks to act for Lion Rock Language Limited"
    assert f"{settings.SITE_URL}{page}" in sent[english.email].body
    assert "allow or decline the request" in sent[english.email].body
    assert page in sent[english.email].alternatives[0][0]
    assert sent[chinese.email].subject == "HKU iDendron 要求代表獅子山語言有限公司行事"
    assert "批准或拒絕" in sent[chinese.email].body
    assert f"{settings.SITE_URL}{page}" in sent[chinese.email].body
    inbox = Notification.objects.filter(event="partner_link_requested")
    assert {(n.recipient, n.language) for n in inbox} == {(english, "en"),
                                                          (chinese, "zh-hant")}


def test_a_repeated_request_does_not_tell_the_owners_again(
        client_of_partner, company, django_capture_on_commit_callbacks):
    owner_of(company, language="en", email="amy@lionrock.example.hk")
    request_link(client_of_partner, django_capture_on_commit_callbacks)

    request_link(client_of_partner, django_capture_on_commit_callbacks)

    assert PartnerLink.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_unknown_company_tells_no_one(client_of_partner, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        partner_link_request(client=client_of_partner, br_number="99999999")

    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_administrators_preview_lists_and_renders_the_request_in_both_languages(client):
    client.force_login(UserFactory(roles=[Role.ADMINISTRATOR]))

    index = client.get(reverse("notifications:previews")).content.decode()
    response = client.get(reverse("notifications:preview", args=["partner_link_requested"]))

    assert reverse("notifications:preview", args=["partner_link_requested"]) in index
    previews = {p["language"]: p for p in response.context["previews"]}
    assert previews["en"]["subject"] == "HKU iDendron asks to act for Example AI Limited"
    assert previews["zh-hant"]["subject"] == "HKU iDendron 要求代表Example AI Limited行事"
    assert "/applicant/companies/7/partners/" in previews["zh-hant"]["text"]


def test_an_owner_whose_account_is_closed_is_not_told(
        client_of_partner, company, django_capture_on_commit_callbacks):
    active = owner_of(company, language="en", email="amy@lionrock.example.hk")
    closed = owner_of(company, language="en", email="left@lionrock.example.hk")
    closed.is_active = False
    closed.save()

    request_link(client_of_partner, django_capture_on_commit_callbacks)

    assert [message.to for message in mail.outbox] == [[active.email]]
    assert not Notification.objects.filter(recipient=closed).exists()
