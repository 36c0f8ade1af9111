"""Demo data for compute at the AI Supercomputing Centre: the Sha Tin company's grant has
an allocation of GPU-hours and two monthly usage statements posted, as the Centre's CSV
files would post them (officer@demo.aiss.hk: *AISC usage statements*, ``/compute/
statements/``; the grant's page, section *Computing at the AI Supercomputing Centre*, links
the burn chart at ``/compute/grants/<id>/``, which the company's owner sees too).
Made through the services; idempotent."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from subsidy.compute.models import ComputeAllocation
from subsidy.compute.selectors import planned_gpu_hours
from subsidy.compute.services.allocations import compute_allocation_set
from subsidy.compute.services.statements import statement_from_csv, statement_receive
from subsidy.devdata.grants import COMPANY
from subsidy.scheme.models import Grant

HOURS_PER_MONTH = (Decimal("310.50"), Decimal("420.00"))


def _months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(count, 0, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        months.append(date(year, month + 1, 1))
    return months


def demo_compute_seed(*, officer) -> ComputeAllocation | None:
    grant = (Grant.objects.select_related("application", "round")
             .filter(application__organisation__br_number=COMPANY["br_number"],
                     status__in=(Grant.Status.ACCEPTED, Grant.Status.ACTIVE)).first())
    if grant is None or ComputeAllocation.objects.filter(grant=grant).exists():
        return None
    allocation = compute_allocation_set(actor=officer, grant=grant,
                                        hours=planned_gpu_hours(grant) or Decimal("1000"))
    reference = grant.application.reference
    for month, hours in zip(_months_back(timezone.localdate(), 2), HOURS_PER_MONTH,
                            strict=True):
        rows = [f"{reference},{month:%Y-%m},H800,{hours:.2f},"
                f"{hours * allocation.list_rate:.2f}",
                f"{reference},{month:%Y-%m},A100,40.00,{40 * allocation.list_rate:.2f}"]
        content = ("project,period,gpu_type,hours,list_amount\r\n" + "\r\n".join(rows)
                   + "\r\n").encode()
        statement_receive(statement=statement_from_csv(
            reference=f"AISC-{month:%Y-%m}-{grant.application.organisation_id:04d}",
            content=content), actor=officer)
    return allocation
