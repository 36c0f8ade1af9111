"""Two statements posted at the same moment for the same grant, on PostgreSQL with one real
connection each: together they would pass the allocation; the subsidy drawn never does.

The first is held just before it writes its charges (it holds the grant's row lock); the
second starts and runs until it waits for a lock; then the first is let go. The second
must then see what the first drew and cap its own line, naming the excess."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from subsidy.compute.models import ComputeCharge
from subsidy.compute.selectors import grant_compute_summaries
from subsidy.compute.services.statements import StatementRejected
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHARGE_WRITE = f'INSERT INTO "{ComputeCharge._meta.db_table}"'
TIMEOUT = 20


class Racer(threading.Thread):
    def __init__(self, step, *, hold: bool):
        super().__init__()
        self.step, self.hold = step, hold
        self.held, self.release = threading.Event(), threading.Event()
        self.backend_pid = None
        self.outcome = None

    def _pause_before_charge_write(self, execute, sql, params, many, context):
        if sql.startswith(CHARGE_WRITE) and not self.held.is_set():
            self.held.set()
            assert self.release.wait(TIMEOUT), "never released"
        return execute(sql, params, many, context)

    def run(self):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.backend_pid = cursor.fetchone()[0]
            if self.hold:
                with connection.execute_wrapper(self._pause_before_charge_write):
                    self.step()
            else:
                self.step()
            self.outcome = "done"
        except StatementRejected as rejected:
            self.outcome = f"rejected: {rejected.problems}"
        except Exception as error:  # noqa: BLE001 - a deadlock or any other failure fails the test
            self.outcome = f"error: {error!r}"
        finally:
            self.held.set()
            connection.close()


def _waiting_for_a_lock(racer: Racer) -> bool:
    if not racer.is_alive():
        return True
    if racer.backend_pid is None:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                       [racer.backend_pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def test_two_statements_at_once_never_draw_beyond_the_allocation():
    grant = grant_with_allocation(hours="100")  # 1,295.00 of subsidy
    first = Racer(lambda: post_csv(csv_of(line(grant, 70)), reference="AISC-A"), hold=True)
    second = Racer(lambda: post_csv(csv_of(line(grant, 60)), reference="AISC-B"), hold=False)

    first.start()
    assert first.held.wait(TIMEOUT), "the first never reached its charge write"
    second.start()
    deadline = time.monotonic() + TIMEOUT
    while not _waiting_for_a_lock(second):
        assert time.monotonic() < deadline, "the second neither finished nor waited"
        time.sleep(0.01)
    first.release.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)

    assert (first.outcome, second.outcome) == ("done", "done")
    summary = grant_compute_summaries([grant.pk])[grant.pk]
    assert summary.drawn_amount == summary.allocation_amount == Decimal("1295.00")
    capped = ComputeCharge.objects.get(statement__reference="AISC-B")
    # 60 h would draw 777.00; 30 h (388.50) were left.
    assert (capped.subsidy_amount, capped.excess_amount) == (Decimal("388.50"),
                                                             Decimal("388.50"))
