"""Two officers close the same grant at the same moment, on PostgreSQL with one real
connection each: the application's row lock lets one closing through and the other finds
the grant closed; never two closure records, never a closing half-made."""

import threading

import pytest
from django.db import connection

from applicants.models import Application
from subsidy.closure.models import GrantClosure
from subsidy.closure.services.closing import grant_close_out
from subsidy.finance.models import Tranche
from subsidy.finance.services.tranches import grant_activate
from subsidy.platform.errors import DomainError
from subsidy.platform.roles import Role
from tests.builders.finance import make_accepted_grant
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
TIMEOUT = 30


def test_two_officers_terminating_at_once_close_the_grant_once():
    officers = [UserFactory(roles=[Role.PROGRAMME_OFFICER]) for _ in range(2)]
    grant = make_accepted_grant()
    grant_activate(actor=officers[0], grant=grant)
    start = threading.Barrier(2)
    outcomes = []

    def close(officer, reason):
        try:
            start.wait(TIMEOUT)
            grant_close_out(actor=officer, grant=grant, outcome="terminated", reason=reason)
            outcomes.append("closed")
        except DomainError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 - a deadlock or any failure fails the test
            outcomes.append(f"error: {error!r}")
        finally:
            connection.close()

    racers = [threading.Thread(target=close, args=(officer, f"Reason {n}"))
              for n, officer in enumerate(officers)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(TIMEOUT)

    assert sorted(outcomes) == ["closed", "invalid_transition"]
    closure = GrantClosure.objects.get(grant=grant)
    assert closure.outcome == "terminated"
    assert Application.objects.get(pk=grant.application_id).status == "terminated"
    assert set(Tranche.objects.filter(grant=grant).values_list("status", flat=True)) == {
        Tranche.Status.CANCELLED}
