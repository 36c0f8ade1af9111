"""Grants ready to close: every tranche paid through the finance services."""

from django.utils import timezone

from subsidy.progress.models import ProgressReport, ReportingRequirement
from tests.builders.finance import batched_payment, mark_paid
from tests.factories import ProgressReportFactory


def pay_every_tranche(grant, officer, finance_officer, finance_approver):
    """Claim, verify, prepare, approve, batch and pay each tranche of ``grant`` in turn."""
    for tranche in grant.tranches.order_by("number"):
        payment, _batch = batched_payment(grant, officer, finance_officer, finance_approver,
                                          number=tranche.number)
        mark_paid(payment, bank_reference=f"CLOSE-{grant.pk}-{tranche.number}")
    return grant


def accept_final_report(grant):
    """The grant's final report, sent and accepted (its requirement made if the grant owes
    none yet), so that completing it is not held by the closure checklist."""
    requirement, _created = ReportingRequirement.objects.get_or_create(
        grant=grant, kind=ReportingRequirement.Kind.FINAL,
        defaults={"number": 99, "title": "Final report", "due_date": timezone.localdate()})
    return ProgressReportFactory(requirement=requirement, status=ProgressReport.Status.ACCEPTED,
                                 decided_at=timezone.now())
