"""A partner reads the grant of its company's application: its status and amounts, and
once it closed, how (outcome, reason, paid and released); another partner's grant is 404."""

import pytest
from django.urls import reverse

from subsidy.closure.services.closing import grant_close_out
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.roles import Role
from tests.builders.finance import make_accepted_grant
from tests.builders.partners import link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(grant):
    return reverse("api:application-grant", args=[grant.application.reference])


def test_the_grant_shows_its_closure_once_terminated(partner, partner_client):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    grant = make_accepted_grant()
    link(partner, grant.application.organisation)
    grant_activate(actor=officer, grant=grant)
    assert partner_client.get(_url(grant)).json()["closure"] is None

    grant_close_out(actor=officer, grant=grant, outcome="terminated",
                    reason="The company was wound up.")

    body = partner_client.get(_url(grant)).json()
    assert body["status"] == "terminated"
    assert body["closure"]["outcome"] == "terminated"
    assert body["closure"]["reason"] == "The company was wound up."
    assert body["closure"]["released_commitment"] == "1000000.00"


def test_a_grant_of_a_company_not_linked_is_not_found(partner_client):
    grant = make_accepted_grant()

    assert partner_client.get(_url(grant)).status_code == 404
