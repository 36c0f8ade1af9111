from datetime import date

import pytest

from subsidy.finance.opendata.threesixty import grants_package, schema_validator
from tests.builders.finance import batched_payment, make_accepted_grant, mark_paid

pytestmark = pytest.mark.django_db


def test_export_of_awarded_grants_is_valid_360giving(active_grant, officer, finance_officer,
                                                     finance_approver):
    payment, _batch = batched_payment(active_grant, officer, finance_officer, finance_approver)
    mark_paid(payment, bank_reference=f"R-{payment.pk}",
              value_date=date(2027, 1, 5))
    make_accepted_grant()

    package = grants_package()

    errors = [error.message for error in schema_validator().iter_errors(package)]
    assert errors == []
    assert len(package["grants"]) == 2
    paid = next(g for g in package["grants"] if g["amountDisbursed"])
    assert (paid["currency"], paid["amountAwarded"], paid["amountDisbursed"]) == (
        "HKD", 1000000, 400000)


def test_validator_catches_a_grant_without_its_amount_as_a_number():
    package = {"grants": [{"id": "x", "title": "t", "currency": "HKD",
                           "amountAwarded": "1,000", "awardDate": "2027-01-01"}]}

    assert list(schema_validator().iter_errors(package))


def test_offers_that_were_declined_are_not_published(db):
    grant = make_accepted_grant()
    grant.__class__.objects.filter(pk=grant.pk).update(status="declined")
    keep = make_accepted_grant()

    ids = [g["id"] for g in grants_package()["grants"]]

    assert ids == [f"360G-CYBERPORT-AISS-{keep.application.reference}"]


def test_open_data_download_needs_no_sign_in(client, active_grant):
    response = client.get("/finance/open-data/360giving.json")

    assert response.status_code == 200
    assert response.json()["grants"][0]["currency"] == "HKD"


@pytest.mark.parametrize("field", ["awardDate", "dateModified"])
def test_validator_refuses_a_date_that_is_not_a_date(field):
    """The schema's formats are checked: "yesterday" is no date-time (jsonschema checks
    ``date-time`` only with an RFC 3339 checker installed)."""
    grant = {"id": "360G-x", "title": "t", "description": "d", "currency": "HKD",
             "amountAwarded": 1, "awardDate": "2027-01-01T00:00:00+08:00",
             "dateModified": "2027-01-01T00:00:00+08:00",
             "recipientOrganization": [{"id": "360G-a", "name": "a"}],
             "fundingOrganization": [{"id": "360G-b", "name": "b"}]}
    assert list(schema_validator().iter_errors({"grants": [grant]})) == []

    errors = list(schema_validator().iter_errors({"grants": [{**grant, field: "yesterday"}]}))

    assert errors


def test_date_modified_is_in_hong_kong_time(active_grant):
    [record] = grants_package()["grants"]

    assert record["dateModified"].endswith("+08:00")
