"""``manage.py opendata_check``: 360Giving's data-quality rules over the download as it is
published. Errors fail the command, warnings only with --fail-on-warnings; a complete grant
passes clean."""

from copy import deepcopy
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from subsidy.finance.opendata.quality import package_findings
from subsidy.finance.opendata.threesixty import grants_package
from tests.builders.finance import make_accepted_grant
from tests.subsidy.finance.test_opendata_identifiers import complete

NOW = datetime(2027, 6, 1, 4, 0, tzinfo=UTC)
GRANT = {
    "id": "360G-CYBERPORT-AISS-1", "title": "Cantonese ASR",
    "description": "Speech recognition for call centres.", "currency": "HKD",
    "amountAwarded": 1000000, "awardDate": "2027-01-05T10:00:00+08:00",
    "plannedDates": [{"startDate": "2027-02-01", "endDate": "2027-12-31"}],
    "recipientOrganization": [{"id": "HK-CR-2524613", "name": "Harbour AI Limited",
                               "location": [{"name": "Sha Tin", "countryCode": "HK",
                                             "geoCode": "ST"}]}],
    "beneficiaryLocation": [{"name": "Hong Kong", "countryCode": "HK", "geoCode": "HK"}],
    "fundingOrganization": [{"id": "HK-CR-0711539", "name": "Cyberport"}],
    "grantProgramme": [{"code": "2027R1", "title": "Round 1"}],
    "dateModified": "2027-01-05T10:00:00+08:00",
    "dataSource": "https://aiss.cyberport.hk/finance/open-data/360giving.json",
}


def codes(*grants):
    return sorted({f.code for f in package_findings({"grants": list(grants)}, now=NOW)})


def changed(**fields):
    grant = deepcopy(GRANT)
    grant.update(fields)
    return grant


def test_a_complete_grant_raises_nothing():
    assert codes(GRANT) == []


@pytest.mark.parametrize(("fields", "expected"), [
    ({"recipientOrganization": [{"id": "360G-CYBERPORT-AISS-ORG-12345678", "name": "A",
                                 "location": GRANT["recipientOrganization"][0]["location"]}]},
     ["recipient-360g"]),
    ({"fundingOrganization": [{"id": "360G-CYBERPORT", "name": "Cyberport"}]},
     ["funder-360g"]),
    ({"fundingOrganization": [{"id": "HK-CRO-0711539", "name": "Cyberport"}]},
     ["org-id-unrecognised"]),
    ({"recipientOrganization": [{"id": "HK-CR-12", "name": "A",
                                 "location": GRANT["recipientOrganization"][0]["location"]}]},
     ["org-id-invalid"]),
    ({"recipientOrganization": [{"id": "HK-CR-2524613", "name": "A"}]},
     ["recipient-location"]),
    ({"beneficiaryLocation": []}, ["beneficiary-location"]),
    ({"beneficiaryLocation": [{"name": "Hong Kong"}]}, ["beneficiary-location-code"]),
    ({"dataSource": None}, ["data-source"]),
    ({"dateModified": "2027-01-05T02:00:00+00:00"}, ["date-modified"]),
    ({"grantProgramme": []}, ["grant-programme"]),
    ({"plannedDates": [{"startDate": "2027-02-01"}]}, ["planned-dates"]),
    ({"plannedDates": [{"startDate": "2028-01-01", "endDate": "2027-01-01"}]},
     ["planned-dates-order"]),
    ({"plannedDates": [{"startDate": "2027-01-01", "endDate": "2045-01-01"}]},
     ["far-dates"]),
    ({"amountAwarded": 0}, ["zero-amount"]),
    ({"description": "Cantonese ASR"}, ["title-description-same"]),
    ({"title": "x" * 141}, ["title-length"]),
    ({"description": "Write to founder@harbour.example.hk"}, ["looks-like-email"]),
])
def test_each_warning(fields, expected):
    assert codes(changed(**fields)) == expected


@pytest.mark.parametrize(("fields", "expected"), [
    ({"awardDate": "2027-07-01T10:00:00+08:00"}, ["award-date-future"]),
    ({"awardDate": "yesterday"}, ["impossible-date", "schema"]),
    # The schema's date pattern lets 30 February through; the rule does not.
    ({"plannedDates": [{"startDate": "2027-02-30", "endDate": "2027-12-31"}]},
     ["impossible-date"]),
    ({"id": "360G-CYBERPORT-AISS-1\n"}, ["id-line-break"]),
])
def test_each_error(fields, expected):
    assert codes(changed(**fields)) == expected


def test_two_funder_identifiers_in_one_file_are_an_error():
    other = changed(id="360G-CYBERPORT-AISS-2",
                    fundingOrganization=[{"id": "HK-CR-7654321", "name": "Cyberport"}])

    assert codes(GRANT, other) == ["funder-ids-differ"]


def test_a_finding_names_its_grant_and_path():
    [finding] = package_findings({"grants": [changed(dataSource="")]}, now=NOW)

    assert (finding.level, finding.grant_id, finding.path) == (
        "warning", "360G-CYBERPORT-AISS-1", "/grants/0/dataSource")


# --- The command, on the download as published ------------------------------------------------

def run(*args):
    out = StringIO()
    call_command("opendata_check", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_export_of_a_complete_grant_passes_clean(settings):
    settings.OPENDATA_FUNDER_ORG_ID = "HK-CR-0711539"
    complete(make_accepted_grant())

    assert package_findings(grants_package()) == []
    assert "The open data passes" in run("--fail-on-warnings")


@pytest.mark.django_db
def test_a_company_without_its_numbers_is_a_warning_and_fails_only_on_request(settings):
    settings.OPENDATA_FUNDER_ORG_ID = "HK-CR-0711539"
    grant = complete(make_accepted_grant(), cr_number="", district="")

    output = run()

    assert "WARNING recipient-360g: 1 grant(s)" in output
    assert "WARNING recipient-location: 1 grant(s)" in output
    assert grant.application.reference in output
    with pytest.raises(CommandError):
        run("--fail-on-warnings")
    assert "passes" in run("--fail-on-warnings", "--ignore", "recipient-360g",
                           "--ignore", "recipient-location")


@pytest.mark.django_db
def test_an_error_fails_the_command(settings):
    settings.OPENDATA_FUNDER_ORG_ID = "HK-CR-0711539"
    grant = complete(make_accepted_grant())
    grant.__class__.objects.filter(pk=grant.pk).update(
        decided_at=datetime.now(UTC) + timedelta(days=3))

    with pytest.raises(CommandError):
        run()
