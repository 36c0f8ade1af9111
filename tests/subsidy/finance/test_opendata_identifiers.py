"""The 360Giving download names organisations from org-id.guide's registers (the Hong Kong
Companies Register) and uses the publisher's 360G- prefix only where a company has no
number; it gives the recipient's district, Hong Kong as the beneficiary location, its own
address as the data source, and Hong Kong time."""

from datetime import date

import pytest
from django.utils import timezone, translation

from applicants.models import Organisation
from tests.builders.finance import make_accepted_grant

pytestmark = pytest.mark.django_db

URL = "/finance/open-data/360giving.json"


def complete(grant, *, cr_number="2524613", district="ST"):
    """The grant's company with its CR number and district, and a project with its own
    summary and planned dates: everything 360Giving's quality rules look for."""
    application = grant.application
    Organisation.objects.filter(pk=application.organisation_id).update(
        cr_number=cr_number, district=district)
    application.summary = "Speech recognition for Cantonese call centres."
    application.start_date, application.end_date = date(2027, 1, 1), date(2027, 12, 31)
    application.save(update_fields=["summary", "start_date", "end_date"])
    return grant


def only_grant(client):
    [record] = client.get(URL).json()["grants"]
    return record


def test_a_company_with_a_cr_number_is_named_by_the_companies_register(client):
    complete(make_accepted_grant(), cr_number="2524613")

    assert only_grant(client)["recipientOrganization"][0]["id"] == "HK-CR-2524613"


def test_a_company_without_one_falls_back_to_the_publisher_prefix_from_settings(
        client, settings):
    settings.OPENDATA_PUBLISHER_PREFIX = "360G-cyberport"
    grant = make_accepted_grant()
    organisation = grant.application.organisation

    record = only_grant(client)

    assert record["recipientOrganization"][0]["id"] == (
        f"360G-cyberport-AISS-ORG-{organisation.br_number}")
    assert record["id"] == f"360G-cyberport-AISS-{grant.application.reference}"


def test_the_funder_is_named_by_the_setting_and_by_the_prefix_without_it(client, settings):
    make_accepted_grant()
    settings.OPENDATA_FUNDER_ORG_ID = "HK-CR-0711539"
    assert only_grant(client)["fundingOrganization"] == [
        {"id": "HK-CR-0711539", "name": "Hong Kong Cyberport Management Company Limited"}]

    settings.OPENDATA_FUNDER_ORG_ID = ""
    assert only_grant(client)["fundingOrganization"][0]["id"] == "360G-CYBERPORT"


def test_the_recipient_district_is_a_geographic_code_in_english_whatever_the_language(
        client):
    complete(make_accepted_grant(), district="KT")
    without = make_accepted_grant()

    with translation.override("zh-hant"):
        records = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hant").json()["grants"]

    record = next(r for r in records if without.application.reference not in r["id"])
    other = next(r for r in records if without.application.reference in r["id"])
    assert "location" not in other["recipientOrganization"][0]
    recipient = record["recipientOrganization"][0]
    assert recipient["location"] == [{"name": "Kwun Tong", "countryCode": "HK",
                                      "geoCode": "KT"}]
    assert recipient["addressLocality"] == "Kwun Tong"
    assert record["beneficiaryLocation"] == [{"name": "Hong Kong", "countryCode": "HK",
                                              "geoCode": "HK"}]


def test_the_data_source_is_the_download_itself(client, settings):
    settings.SITE_URL = "https://aiss.cyberport.hk/"
    make_accepted_grant()

    assert only_grant(client)["dataSource"] == (
        "https://aiss.cyberport.hk/finance/open-data/360giving.json")


def test_date_modified_is_hong_kong_time_even_when_another_zone_is_active(client):
    make_accepted_grant()

    with timezone.override("UTC"):
        record = only_grant(client)

    assert record["dateModified"].endswith("+08:00")
    assert record["awardDate"].endswith("+08:00")
