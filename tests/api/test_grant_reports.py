"""A partner reads the reporting of its company's grant: the reports owed with their fixed
due dates and each report sent, in a fixed number of queries; another partner's is 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from subsidy.progress.models import ReportingRequirement
from subsidy.progress.services.reports import report_return
from tests.builders.finance import make_accepted_grant
from tests.builders.partners import link
from tests.builders.progress import report_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(grant):
    return reverse("api:application-grant-reports", args=[grant.application.reference])


@pytest.fixture
def active_grant(partner):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    link(partner, grant.application.organisation)
    grant_activate(actor=officer, grant=grant)
    grant.officer = officer
    return grant


def test_the_partner_reads_the_reports_owed_and_sent(partner_client, active_grant):
    first = ReportingRequirement.objects.get(grant=active_grant, number=1)
    report_return(actor=active_grant.officer, report=report_send(first, owner=active_grant.owner),
                  comment="Add the customers.")

    body = partner_client.get(_url(active_grant)).json()

    assert [(r["number"], r["kind"], r["due_date"]) for r in body] == [
        (1, "milestone", "2027-01-01"), (2, "milestone", "2027-04-01"),
        (3, "milestone", "2027-07-01"), (4, "final", body[3]["due_date"])]
    assert body[0]["report"]["status"] == "returned"
    assert body[0]["report"]["officer_comment"] == "Add the customers."
    assert len(body[0]["report"]["values"]) == 6
    assert body[1]["report"] is None


def test_the_list_asks_the_same_queries_for_one_report_sent_or_three(partner_client,
                                                                 active_grant):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert partner_client.get(_url(active_grant)).status_code == 200
        return len(captured)

    def send(number):
        report_send(ReportingRequirement.objects.get(grant=active_grant, number=number),
                    owner=active_grant.owner)

    send(1)
    queries()  # warm: a key's first request writes more than the next ones
    one_sent = queries()
    send(2)
    send(3)
    assert queries() == one_sent


def test_reports_of_a_company_not_linked_are_not_found(partner_client):
    grant = make_accepted_grant()

    assert partner_client.get(_url(grant)).status_code == 404
