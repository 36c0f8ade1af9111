"""What other packages read of a grant's reporting: whether its final report is accepted,
and its health (overdue reports, reports awaiting review, next due date) for many grants
in one query."""

from datetime import date

import pytest

from subsidy.progress.models import ProgressReport, ReportingRequirement
from subsidy.progress.selectors import ReportHealth, final_report_accepted, grant_report_health
from tests.factories import GrantFactory, ProgressReportFactory, ReportingRequirementFactory

pytestmark = pytest.mark.django_db

TODAY = date(2027, 3, 1)
R = ProgressReport.Status


def _requirement(grant, due, **kwargs):
    return ReportingRequirementFactory(grant=grant, due_date=due, **kwargs)


def test_only_an_accepted_final_report_counts_as_accepted():
    grant = GrantFactory(status="active")
    final = _requirement(grant, date(2027, 9, 1), kind=ReportingRequirement.Kind.FINAL,
                         title="Final report")
    milestone = _requirement(grant, date(2027, 1, 1))
    ProgressReportFactory(requirement=milestone, status=R.ACCEPTED,
                          decided_at="2027-01-05T10:00:00+08:00")
    assert final_report_accepted(grant) is False

    report = ProgressReportFactory(requirement=final)
    assert final_report_accepted(grant) is False
    report.status, report.decided_at = R.ACCEPTED, "2027-09-02T10:00:00+08:00"
    report.save()
    assert final_report_accepted(grant) is True


def test_health_counts_overdue_unsent_and_returned_reports_and_the_next_open_due_date():
    grant = GrantFactory(status="active")
    _requirement(grant, date(2027, 1, 1))  # overdue, nothing sent
    returned = _requirement(grant, date(2027, 2, 1))
    ProgressReportFactory(requirement=returned, status=R.RETURNED, officer_comment="Add KPIs.")
    waiting = _requirement(grant, date(2027, 2, 15))  # sent: not overdue, awaiting review
    ProgressReportFactory(requirement=waiting)
    _requirement(grant, TODAY)  # due today: not overdue, next due
    _requirement(grant, date(2027, 6, 1))
    quiet = GrantFactory(status="active")

    health = grant_report_health([grant.pk, quiet.pk], today=TODAY)

    assert health[grant.pk] == ReportHealth(overdue=2, awaiting_review=1, next_due=TODAY)
    assert health[quiet.pk] == ReportHealth(overdue=0, awaiting_review=0, next_due=None)


def test_health_of_many_grants_takes_one_query(django_assert_num_queries):
    grants = [GrantFactory(status="active") for _ in range(4)]
    for grant in grants:
        _requirement(grant, date(2027, 1, 1))
        _requirement(grant, date(2027, 6, 1))

    with django_assert_num_queries(1):
        health = grant_report_health([grant.pk for grant in grants], today=TODAY)

    assert {h.overdue for h in health.values()} == {1}
    assert {h.next_due for h in health.values()} == {date(2027, 6, 1)}
