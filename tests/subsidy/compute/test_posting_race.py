"""Two statements posted at the same moment for the same grant, on PostgreSQL with one real
connection each: together they would pass the allocation; the subsidy drawn never does.

The first is held just before it writes its charges (it holds the grant's row lock); the
second starts and runs until it waits for a lock; then the first is let go. The second
must then see what the first drew and cap its own line, naming the excess."""

from decimal import Decimal

import pytest

from subsidy.compute.models import ComputeCharge
from subsidy.compute.selectors import grant_compute_summaries
from subsidy.compute.services.statements import StatementRejected
from tests.builders.compute import csv_of, grant_with_allocation, line, post_csv
from tests.builders.races import Racer, race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHARGE_WRITE = f'INSERT INTO "{ComputeCharge._meta.db_table}"'


def _racer(step, *, hold: bool) -> Racer:
    return Racer(step, hold=hold, pause_before=CHARGE_WRITE, refusals=(StatementRejected,),
                 refusal_outcome=lambda rejected: f"rejected: {rejected.problems}")


def test_two_statements_at_once_never_draw_beyond_the_allocation():
    grant = grant_with_allocation(hours="100")  # 1,295.00 of subsidy
    first = _racer(lambda: post_csv(csv_of(line(grant, 70)), reference="AISC-A"), hold=True)
    second = _racer(lambda: post_csv(csv_of(line(grant, 60)), reference="AISC-B"), hold=False)

    race(first, second)

    assert (first.outcome, second.outcome) == ("done", "done")
    summary = grant_compute_summaries([grant.pk])[grant.pk]
    assert summary.drawn_amount == summary.allocation_amount == Decimal("1295.00")
    capped = ComputeCharge.objects.get(statement__reference="AISC-B")
    # 60 h would draw 777.00; 30 h (388.50) were left.
    assert (capped.subsidy_amount, capped.excess_amount) == (Decimal("388.50"),
                                                             Decimal("388.50"))
