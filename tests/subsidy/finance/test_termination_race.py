"""Terminating a grant and sending its payment to the bank, at the same moment, on
PostgreSQL with one real connection each.

The invariant: either the batch holds the payment and the termination is refused, or the
termination wins and the batch does not hold it; never a payment with the bank for a
terminated grant (the bank would pay money the ledger has already given back to the
round). The race is made deterministic: the first of the two is held just before it
writes the payment row, the second starts and runs until it finishes or waits for a lock,
and only then is the first let go. Whoever holds the grant first must win.
"""

import threading
import time

import pytest
from django.db import connection

from subsidy.finance.models import Disbursement, Tranche
from subsidy.finance.services.payments import payment_batch_create
from subsidy.finance.services.tranches import grant_terminate
from subsidy.platform.errors import DomainError
from subsidy.scheme.models import Grant
from tests.builders.finance import approved_payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PAYMENT_WRITE = f'UPDATE "{Disbursement._meta.db_table}"'
TIMEOUT = 20


class Racer(threading.Thread):
    """One side of the race on its own connection; ``hold`` pauses it just before its
    first write to a payment row until ``release`` is set."""

    def __init__(self, step, *, hold: bool):
        super().__init__()
        self.step, self.hold = step, hold
        self.held, self.release = threading.Event(), threading.Event()
        self.backend_pid = None
        self.outcome = None
        self.message = ""

    def _pause_before_payment_write(self, execute, sql, params, many, context):
        if sql.startswith(PAYMENT_WRITE) and not self.held.is_set():
            self.held.set()
            assert self.release.wait(TIMEOUT), "never released"
        return execute(sql, params, many, context)

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]
            if self.hold:
                with connection.execute_wrapper(self._pause_before_payment_write):
                    self.step()
            else:
                self.step()
            self.outcome = "done"
        except DomainError as error:
            self.outcome = error.code
            self.message = str(error)
        except Exception as error:  # noqa: BLE001 - a deadlock or any other failure fails the test
            self.outcome = f"error: {error!r}"
        finally:
            self.held.set()
            connection.close()


def _finished_or_waiting_for_a_lock(racer: Racer) -> bool:
    if not racer.is_alive():
        return True
    if racer.backend_pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                       [racer.backend_pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _race(first: Racer, second: Racer) -> None:
    first.start()
    assert first.held.wait(TIMEOUT), "the first step never reached its payment write"
    second.start()
    deadline = time.monotonic() + TIMEOUT
    while not _finished_or_waiting_for_a_lock(second):
        assert time.monotonic() < deadline, "the second step neither finished nor waited"
        time.sleep(0.01)
    first.release.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)
    assert not first.is_alive() and not second.is_alive(), "deadlock"


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
    terminate = Racer(_terminate(active_grant, officer), hold=True)
    batch = Racer(_batch(payment, finance_officer), hold=False)

    _race(terminate, batch)

    _assert_never_batched_on_a_terminated_grant(active_grant, payment)
    assert terminate.outcome == "done"
    assert batch.outcome in {"grant_not_active", "not_approved"}
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.TERMINATED
    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.CANCELLED
    assert Disbursement.objects.get(pk=payment.pk).batch_id is None
    assert active_grant.tranches.get(number=1).status == Tranche.Status.CANCELLED


def test_batch_that_locks_the_grant_first_refuses_the_termination(
        active_grant, payment, officer, finance_officer):
    batch = Racer(_batch(payment, finance_officer), hold=True)
    terminate = Racer(_terminate(active_grant, officer), hold=False)

    _race(batch, terminate)

    _assert_never_batched_on_a_terminated_grant(active_grant, payment)
    assert batch.outcome == "done"
    # The closure checklist, which every termination passes first, refuses it for the
    # payment that is with the bank.
    assert terminate.outcome == "closure_incomplete"
    assert "A payment of this grant is with the bank" in terminate.message
    assert Grant.objects.get(pk=active_grant.pk).status == Grant.Status.ACTIVE
    assert Disbursement.objects.get(pk=payment.pk).status == Disbursement.Status.BATCHED
    assert active_grant.tranches.get(number=1).status == Tranche.Status.SCHEDULED
