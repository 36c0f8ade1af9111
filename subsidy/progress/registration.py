"""What progress gives the lower layers when the app is ready: the reporting requirements
that follow a grant's start, and the reports waiting on the officer's dashboard."""

from applicants.workflow import transition_effect_register
from subsidy.progress.selectors import reports_to_review_queue
from subsidy.progress.services.requirements import grant_reporting_start
from subsidy.scheme.workload import workload_source_register


def register() -> None:
    # Registered after finance's ``grant_start``, so it runs once the grant is active.
    transition_effect_register(transition_name="activate", effect=grant_reporting_start)
    # After the claims to verify on the officer's dashboard.
    workload_source_register(code="reports_to_review", order=110,
                             source=reports_to_review_queue)
