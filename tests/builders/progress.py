"""Reports sent and reviewed the way users do it: through the progress services."""

from decimal import Decimal

from subsidy.progress.models import OutcomeIndicator, ReportingRequirement
from subsidy.progress.services.reports import ReportInput, report_accept, report_submit


def report_send(requirement, *, owner, narrative="The project delivered what it promised."):
    values = {indicator.pk: Decimal("1") for indicator in OutcomeIndicator.objects.filter(
        round_id=requirement.grant.round_id)}
    return report_submit(actor=owner, requirement=requirement,
                         data=ReportInput(narrative=narrative, values=values))


def final_report_accept(grant, *, owner, officer):
    """The grant's final report (owed since it started) sent by ``owner`` and accepted by
    ``officer``."""
    final = ReportingRequirement.objects.get(grant=grant, kind=ReportingRequirement.Kind.FINAL)
    return report_accept(actor=officer, report=report_send(final, owner=owner))
