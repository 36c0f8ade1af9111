"""The eligibility check before starting: the project's category is one the round funds
(DeFi, NFTs and the metaverse are never offered), the company is registered in Hong Kong,
and it has fewer than 100 employees. The same rules refuse a submission."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import Application, Organisation
from applicants.services.submission import application_submit
from subsidy.platform.errors import DomainError
from tests.factories import FundingRoundFactory

NEW = reverse("applicants:application_new")


def start(client, organisation, round_, category="nlp"):
    return client.post(NEW, {"organisation": organisation.pk, "round": round_.pk,
                             "category": category})


def test_the_start_page_offers_only_the_categories_open_in_the_round(client_for, owner,
                                                                     organisation, round_):
    page = client_for(owner).get(NEW).content.decode()
    assert "Who can apply" in page
    assert 'value="nlp"' in page
    for web3 in ("defi", "nft", "metaverse"):
        assert f'value="{web3}"' not in page


def test_a_category_the_round_does_not_fund_is_refused_before_any_draft(
        client_for, owner, organisation, round_):
    narrow = FundingRoundFactory(eligible_categories=["nlp", "robotics"])
    response = start(client_for(owner), organisation, narrow, category="defi")
    assert "There is a problem" in response.content.decode()
    # Computer vision is offered (the other round funds it), but not by this one.
    response = start(client_for(owner), organisation, narrow, category="computer_vision")
    assert "This round does not fund projects in the category “Computer vision”." in \
        response.content.decode()
    assert not Application.objects.exists()


def test_a_category_must_be_chosen(client_for, owner, organisation, round_):
    page = start(client_for(owner), organisation, round_, category="").content.decode()
    assert "Choose the project&#x27;s category." in page
    assert not Application.objects.exists()


def test_a_large_company_is_told_before_it_starts(client_for, owner, organisation, round_):
    Organisation.objects.filter(pk=organisation.pk).update(size=Organisation.Size.LARGE)
    page = start(client_for(owner), organisation, round_).content.decode()
    assert "100 or more employees" in page
    assert 'href="#id_organisation"' in page
    assert not Application.objects.exists()


def test_a_company_incorporated_in_the_future_is_told_before_it_starts(
        client_for, owner, organisation, round_):
    Organisation.objects.filter(pk=organisation.pk).update(
        incorporation_date=timezone.localdate() + timedelta(days=10))
    page = start(client_for(owner), organisation, round_).content.decode()
    assert "no date of incorporation in the past" in page
    assert not Application.objects.exists()


def test_an_eligible_start_keeps_the_category(client_for, owner, organisation, round_):
    start(client_for(owner), organisation, round_, category="computer_vision")
    assert Application.objects.get().category == "computer_vision"


def test_submission_refuses_by_the_same_rules(owner, ready_draft):
    Organisation.objects.filter(pk=ready_draft.organisation_id).update(
        size=Organisation.Size.LARGE)
    ready_draft.organisation.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        application_submit(actor=owner, application=ready_draft)
    assert any("100 or more employees" in m for _f, m in refused.value.problems)
