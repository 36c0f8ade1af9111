import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from applicants.models import validate_br_number
from tests.factories import OrganisationFactory


@pytest.mark.parametrize("value", ["12345678", "00000001"])
def test_eight_digit_br_numbers_are_valid(value):
    validate_br_number(value)


@pytest.mark.parametrize(
    "value",
    ["1234567", "123456789", "1234567A", "12 34567", "１２３４５６７８", "", "12345678-000"],
)
def test_other_br_numbers_are_refused_with_a_clear_message(value):
    with pytest.raises(ValidationError, match="8-digit Business Registration number"):
        validate_br_number(value)


@pytest.mark.django_db
def test_model_validation_reports_bad_br_number_against_its_field():
    organisation = OrganisationFactory.build(br_number="ABC")
    with pytest.raises(ValidationError) as excinfo:
        organisation.full_clean()
    assert "br_number" in excinfo.value.message_dict


@pytest.mark.django_db
def test_database_refuses_a_malformed_br_number():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(br_number="1234567X")


@pytest.mark.django_db
def test_br_number_is_unique():
    OrganisationFactory(br_number="55555555")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(br_number="55555555")
