"""Grants with a compute allocation, and usage statements as the Centre sends them."""

from decimal import Decimal

from subsidy.compute.services.allocations import compute_allocation_set
from subsidy.compute.services.statements import statement_from_csv, statement_receive
from tests.factories import GrantFactory, MembershipFactory, UserFactory

HEADER = "project,period,gpu_type,hours,list_amount"


def grant_with_allocation(*, hours="1000", ratio="70", organisation=None):
    """An accepted grant (round rate HK$18.50) with an allocation of ``hours`` at ``ratio``%
    (1,000 hours at 70%: HK$12,950.00), an owner (``grant.owner``)."""
    extra = {"application__organisation": organisation} if organisation else {}
    grant = GrantFactory(approved_ratio_percent=Decimal(ratio), **extra)
    grant.owner = MembershipFactory(organisation=grant.application.organisation).user
    compute_allocation_set(actor=UserFactory(), grant=grant,
                           hours=hours)
    return grant


def csv_of(*rows) -> bytes:
    """``rows``: (project, period, gpu_type, hours, list_amount) tuples or raw lines."""
    lines = [HEADER] + [row if isinstance(row, str) else ",".join(str(v) for v in row)
                        for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def line(grant, hours, *, period="2026-11", gpu="H800"):
    hours = Decimal(str(hours))
    return (grant.application.reference, period, gpu, f"{hours:.2f}",
            f"{hours * grant.round.gpu_hour_rate:.2f}")


def post_csv(content: bytes, *, reference="AISC-2026-11-0001", actor=None):
    return statement_receive(statement=statement_from_csv(reference=reference,
                                                          content=content), actor=actor)
