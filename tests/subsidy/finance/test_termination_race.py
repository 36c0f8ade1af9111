"""Terminating a grant and sending its payment to the bank, at the same moment, on
PostgreSQL with one real connection each.

The invariant: either the batch holds the payment and the termination is refused, or the
termination wins and the batch does not hold it; never a payment with the bank for a
terminated grant (the bank would pay money the ledger has already given back to the
round). The race is made deterministic: the first of the two is held just before it
writes the payment row, the second starts and runs until it finishes or waits for a lock,
and only then is the first let go. Whoever holds the grant first must win.
"""

import pytest

from subsidy.finance.models import Disbursement, Tranche
from subsidy.finance.services.payments import payment_batch_create
from subsidy.finance.services.tranches import grant_terminate
from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant
from tests.builders.finance import approved_payment
from tests.builders.races import Racer, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAYMENT_WRITE = f'UPDATE "{Disbursement._meta.db_table}"'


def _racer(step, *, hold: bool) -> Racer:
    return Racer(step, hold=hold, pause_before=PAYMENT_WRITE, refusals=(DomainError,))


@pytest.fixture
def payment(active_grant, officer, finance_officer, finance_approver):
    return approved_payment(active_grant, officer, finance_officer, finance_approver)


def _terminate(grant, officer):
    return lambda: grant_terminate(actor=officer, grant=Grant.objects.get(pk=grant.pk),
                                   reason="Project abandoned.")


def _batch(payment, finance_officer):
    return lambda: payment_batch_create(actor=finance_officer, payment_ids=[payment.pk])


def _assert_never_batched_on_a_terminated_grant(grant, payment):
    grant_status = Grant.objects.get(pk=grant.pk).status
    payment_status = Disbursement.objects.get(pk=payment.pk).status
    assert not (grant_status == Grant.Status.TERMINATED
                and payment_status == Disbursement.Status.BATCHED)


def test_termination_that_locks_the_grant_first_keeps_the_payment_out_of_the_batch(
        active_grant, payment, officer, finance_officer):
    terminate = _racer(_terminate(active_grant, officer), hold=True)
    batch = _racer(_batch(payment, finance_officer), hold=False)

    race(terminate, batch)

    _assert_never_batched_on_a_terminated_grant(active_grant, payment)
    assert terminate.outcome == "done"
    assert batch.outcome in {"grant_not_active", "not_approved"}
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.TERMINATED
    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.CANCELLED
    assert Disbursement.objects.get(pk=payment.pk).batch_id is None
    assert active_grant.tranches.get(number=1).status == Tranche.Status.CANCELLED


def test_batch_that_locks_the_grant_first_refuses_the_termination(
        active_grant, payment, officer, finance_officer):
    batch = _racer(_batch(payment, finance_officer), hold=True)
    terminate = _racer(_terminate(active_grant, officer), hold=False)

    race(batch, terminate)

    _assert_never_batched_on_a_terminated_grant(active_grant, payment)
    assert batch.outcome == "done"
    # The closure checklist, which every termination passes first, refuses it for the
    # payment that is with the bank.
    assert terminate.outcome == "closure_incomplete"
    assert "A payment of this grant is with the bank" in terminate.message
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.BATCHED
    assert active_grant.tranches.get(number=1).status == Tranche.Status.SCHEDULED
