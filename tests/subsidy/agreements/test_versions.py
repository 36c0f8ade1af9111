"""A variation's new version of the agreement is signed by the company's owner, as the offer
was: the owner hears of it, reads and signs it on its page (after the password again), and
the payments of the tranches it changed wait until then."""

import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from applicants.models import Membership
from subsidy.agreements.models import GrantAgreement
from subsidy.finance.models import Tranche
from subsidy.finance.services.claims import tranche_due_problem
from subsidy.finance.services.payments import payment_prepare
from subsidy.notifications.models import Notification
from subsidy.notifications.services.outbox import notification_render
from subsidy.platform.errors import DomainError
from subsidy.platform.models import AuditEvent
from subsidy.platform.roles import Role
from subsidy.variations.services.decisions import variation_approve
from subsidy.variations.services.proposal import VariationInput
from subsidy.variations.services.requests import variation_request
from tests.builders.accounts import confirm_identity
from tests.builders.agreements import shown_sha256
from tests.builders.variations import active_grant
from tests.factories import (
    ClaimFactory,
    FundingRoundFactory,
    GrantAgreementFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(db):
    return UserFactory(roles=[Role.PROGRAMME_OFFICER], full_name="Officer Wong")


@pytest.fixture
def varied(officer):
    """An active grant whose amount went down from HK$1,000,000 to HK$900,000: every
    tranche changed, and the new version of the agreement waits for the owner."""
    round_ = FundingRoundFactory(envelope=Decimal("3000000.00"),
                                 max_subsidy_per_project=Decimal("2000000.00"))
    grant = active_grant(round_, officer)
    # The offer, signed as it was accepted: the variation's version is the second.
    GrantAgreementFactory(grant=grant, signed_by=grant.owner, signer_name="Wong Siu Ming")
    variation = variation_request(actor=grant.owner, grant=grant, data=VariationInput(
        reason="The data licence costs less.", new_amount=Decimal("900000.00")))
    variation = variation_approve(actor=officer, variation=variation, reason="Smaller scope.")
    grant.agreement = GrantAgreement.objects.get(grant=grant,
                                                 version=variation.agreement_version)
    return grant


def sign_url(grant):
    return reverse("agreements:sign_version", args=[grant.pk, grant.agreement.version])


def sign(client, grant, *, name="Chan Tai Man", title="Director", sha256=None):
    page = client.get(sign_url(grant)).content.decode()
    confirm_identity(client)
    return client.post(sign_url(grant), {
        "signer_name": name, "signer_title": title, "confirm": "on",
        "document_sha256": sha256 or shown_sha256(page)}, REMOTE_ADDR="198.51.100.23")


def test_the_new_version_waits_for_the_owner_who_hears_of_it(varied, officer):
    agreement = varied.agreement

    assert agreement.version == 2
    assert not agreement.is_signed and agreement.signer_name == ""
    assert agreement.recorded_by == officer
    assert agreement.changed_tranches == [1, 2, 3]
    notice = Notification.objects.get(event="agreement_version_to_sign")
    assert notice.recipient == varied.owner
    assert notice.context["url"] == sign_url(varied)
    # Mandatory: it goes by email, in English and in Chinese, as well as to the inbox.
    assert notice.to_email == varied.owner.email and notice.status == "pending"
    for language, words in [("en", "Version 2 of the agreement"), ("zh-hant", "第 2 版協議")]:
        subject, text, _html = notification_render(
            event="agreement_version_to_sign", context=notice.context, language=language,
            recipient_name="Chan Tai Man")
        assert words in subject and sign_url(varied) in text


def test_the_changed_tranches_wait_for_the_signature_on_the_grant_page(client, varied):
    client.force_login(varied.owner)

    page = client.get(reverse("finance:grant", args=[varied.pk])).content.decode()

    tranche = Tranche.objects.get(grant=varied, number=2)
    assert "Waiting for the company's signature." in page
    assert sign_url(varied) in page
    assert "The payments of the tranches it changed (1, 2, 3) wait until it is signed." in page
    assert reverse("finance:tranche_claim", args=[varied.pk, 1]) not in page
    assert tranche_due_problem(Tranche.objects.get(grant=varied, number=1)) == (
        f"Tranche 1 waits for the company to sign version {varied.agreement.version} of "
        "the agreement, which changed it.")
    assert tranche.amount == Decimal("270000.00")


def test_the_owner_signs_the_exact_version_shown_and_the_payments_go_ahead(client, varied):
    client.force_login(varied.owner)
    page = client.get(sign_url(varied)).content.decode()
    pdf = client.get(reverse("agreements:signed_document",
                             args=[varied.pk, varied.agreement.version])).content
    assert shown_sha256(page) == hashlib.sha256(pdf).hexdigest() == varied.agreement.sha256

    response = sign(client, varied)

    assert response.status_code == 302
    assert response["Location"] == reverse("finance:grant", args=[varied.pk])
    agreement = GrantAgreement.objects.get(pk=varied.agreement.pk)
    assert (agreement.signer_name, agreement.signer_title) == ("Chan Tai Man", "Director")
    assert agreement.signed_by == varied.owner and agreement.signed_at is not None
    assert agreement.ip_address == "198.51.100.23"
    assert bytes(agreement.document) == pdf
    event = AuditEvent.objects.get(action="grant.agreement_sign")
    assert event.after["version"] == agreement.version
    assert event.after["sha256"] == agreement.sha256
    assert tranche_due_problem(Tranche.objects.get(grant=varied, number=1)) is None
    grant_page = client.get(reverse("finance:grant", args=[varied.pk])).content.decode()
    assert "Signed by Chan Tai Man, Director" in grant_page
    assert reverse("finance:tranche_claim", args=[varied.pk, 1]) in grant_page
    assert client.get(sign_url(varied)).status_code == 302  # signed already


def test_a_version_other_than_the_one_shown_is_not_signed(client, varied):
    client.force_login(varied.owner)

    response = sign(client, varied, sha256="0" * 64)

    assert response.status_code == 400
    assert "Nothing was signed" in response.content.decode()
    assert not GrantAgreement.objects.get(pk=varied.agreement.pk).is_signed


def test_signing_asks_for_the_password_again_first(client, varied):
    client.force_login(varied.owner)
    page = client.get(sign_url(varied)).content.decode()

    response = client.post(sign_url(varied), {
        "signer_name": "Chan Tai Man", "signer_title": "Director", "confirm": "on",
        "document_sha256": shown_sha256(page)})

    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not GrantAgreement.objects.get(pk=varied.agreement.pk).is_signed


def test_only_an_owner_signs_and_both_sides_download_the_version(client, varied, officer):
    editor = MembershipFactory(organisation=varied.application.organisation,
                               role=Membership.Role.EDITOR).user
    pdf = reverse("agreements:signed_document", args=[varied.pk, varied.agreement.version])
    for user, sign_status, pdf_status in [(editor, 403, 200), (officer, 403, 200),
                                          (UserFactory(), 404, 404)]:
        client.force_login(user)
        assert client.get(sign_url(varied)).status_code == sign_status
        assert client.get(pdf).status_code == pdf_status
    client.force_login(officer)
    staff_page = client.get(reverse("finance:grant", args=[varied.pk])).content.decode()
    assert sign_url(varied) not in staff_page and pdf in staff_page


def test_the_version_is_signed_from_the_chinese_pages(client, varied):
    client.force_login(varied.owner)
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})

    grant_page = client.get(reverse("finance:grant", args=[varied.pk])).content.decode()
    page = client.get(sign_url(varied)).content.decode()
    response = sign(client, varied, name="陳大文", title="董事")

    assert "等待公司簽署" in grant_page
    assert f"簽署第 {varied.agreement.version} 版資助協議" in page
    assert response.status_code == 302
    agreement = GrantAgreement.objects.get(pk=varied.agreement.pk)
    assert (agreement.signer_name, agreement.signer_title) == ("陳大文", "董事")
    grant_page = client.get(reverse("finance:grant", args=[varied.pk])).content.decode()
    assert "由陳大文（董事）簽署" in grant_page


def test_a_payment_of_a_changed_tranche_is_not_prepared_before_the_signature(varied):
    claim = ClaimFactory(tranche=Tranche.objects.get(grant=varied, number=1),
                         status="verified", submitted_by=varied.owner)

    with pytest.raises(DomainError) as refused:
        payment_prepare(actor=UserFactory(roles=[Role.FINANCE_OFFICER]), claim=claim)

    assert refused.value.code == "agreement_unsigned"
