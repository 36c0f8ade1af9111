"""The officer's queue of reports to review, and the same queue on the officer's dashboard:
the page asks the same number of queries for one report or many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from subsidy.scheme.workload import officer_workload
from tests.factories import ProgressReportFactory

pytestmark = pytest.mark.django_db


def _queue_queries(client, officer, count):
    ProgressReportFactory.create_batch(count)
    client.force_login(officer)
    client.get(reverse("progress:queue"))  # warm the session and the caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("progress:queue"))
    assert response.status_code == 200
    return len(queries)


def test_the_queue_asks_the_same_queries_for_one_report_or_eight(client, officer):
    one = _queue_queries(client, officer, 1)
    eight = _queue_queries(client, officer, 7)

    assert one == eight == 5


def test_reports_waiting_show_on_the_officers_dashboard(client, officer):
    report = ProgressReportFactory()

    queue = next(q for q in officer_workload() if q.code == "reports_to_review")

    assert queue.count == 1
    assert queue.items[0].url == reverse("progress:requirement", args=[report.requirement_id])
    client.force_login(officer)
    page = client.get(reverse("core:dashboard_officer")).content.decode()
    assert "Progress reports to review" in page
