"""The Companies Registry number and district of a company: entered on the company's page
and through the partner API, checked for form, unique, optional for companies registered
without them, and shown back in both languages."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from applicants.models import Membership, Organisation
from tests.builders.applicants import member
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PROFILE = {"name_en": "Harbour Speech AI Limited", "br_number": "71234567",
           "incorporation_date": "2024-03-01", "size": "1-9", "sector": "nlp"}


def url(name, *args):
    return reverse(f"applicants:{name}", args=args)


def test_a_company_registers_with_its_cr_number_and_district(client_for, owner):
    response = client_for(owner).post(url("organisation_create"), {
        **PROFILE, "cr_number": "2524613", "district": "ST"})

    assert response.status_code == 302
    organisation = owner.organisations.get()
    assert (organisation.cr_number, organisation.district) == ("2524613", "ST")


def test_both_stay_optional_for_a_company_without_them(client_for, owner):
    client_for(owner).post(url("organisation_create"), PROFILE)

    assert owner.organisations.values_list("cr_number", "district").get() == ("", "")


@pytest.mark.parametrize("value", ["123456", "123456789", "12345A7", "１２３４５６７"])
def test_a_malformed_cr_number_is_shown_against_its_field(client_for, owner, value):
    response = client_for(owner).post(url("organisation_create"), {
        **PROFILE, "cr_number": value})

    page = response.content.decode()
    assert response.status_code == 200 and 'aria-invalid="true"' in page
    assert ("7- or 8-digit Companies Registry number" in page
            or "at most 8 characters" in page)
    assert not Organisation.objects.exists()


def test_a_cr_number_belongs_to_one_company(client_for, organisation):
    OrganisationFactory(cr_number="7654321")
    client = client_for(member(organisation, Membership.Role.EDITOR))

    response = client.post(url("organisation", organisation.pk), {
        **PROFILE, "br_number": organisation.br_number, "cr_number": "7654321"})

    assert response.status_code == 200
    assert "Companies Registry number is already registered" in response.content.decode()


def test_the_database_refuses_a_malformed_cr_number_an_unknown_district_and_a_duplicate():
    for values in ({"cr_number": "12AB567"}, {"district": "XX"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OrganisationFactory(**values)
    OrganisationFactory(cr_number="1111111")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(cr_number="1111111")
    # Companies without a number do not collide with each other.
    OrganisationFactory.create_batch(2, cr_number="")


def test_the_profile_shows_the_district_in_chinese(client_for, organisation):
    Organisation.objects.filter(pk=organisation.pk).update(cr_number="2524613",
                                                           district="KT")
    viewer = member(organisation, Membership.Role.VIEWER)
    viewer.language = "zh-hant"
    viewer.save(update_fields=["language"])

    page = client_for(viewer).get(url("organisation", organisation.pk)).content.decode()

    assert "2524613" in page and "觀塘區" in page and "公司註冊編號" in page
