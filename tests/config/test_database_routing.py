"""Reports and exports read from the reporting database, a read replica where one is
configured (docs/scaling.md); everything else, and every write, stays on the primary. The
suite's settings declare a second alias, "replica", on the same database, as a replica
would be configured; these tests make it the reporting database."""

from contextlib import contextmanager
from unittest import mock
from unittest.mock import DEFAULT

import pytest
from django.db import connections
from django.urls import reverse

from subsidy.finance.services.tranches import grant_activate
from subsidy.notifications.models import Notification
from subsidy.platform.roles import Role
from subsidy.platform.routers import reporting_reads
from tests.builders.finance import batched_payment, make_accepted_grant
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica_reports(settings):
    settings.REPORTING_DATABASE = "replica"
    yield
    connections["replica"].close()  # the test database cannot be dropped while it is open


def test_only_reporting_reads_go_to_the_replica_and_writes_never(replica_reports):
    assert Notification.objects.all().db == "default"
    with reporting_reads():
        assert Notification.objects.all().db == "replica"
        notification = Notification.objects.create(to_email="w@example.hk", event="x")
    assert notification._state.db == "default"


def test_the_replica_is_never_migrated():
    from subsidy.platform.routers import ReportingRouter

    router = ReportingRouter()
    assert router.allow_migrate("default", "subsidy") is True
    assert router.allow_migrate("replica", "subsidy") is False


@contextmanager
def cursors_opened(connection):
    """The cursors opened on ``connection`` meanwhile. Counted at the cursor, not from the
    query log: PostgreSQL's COPY and server-side cursors bypass the log."""
    opened = []
    with mock.patch.object(connection, "cursor", wraps=connection.cursor,
                           side_effect=lambda: opened.append("cursor") or DEFAULT), \
            mock.patch.object(connection, "chunked_cursor", wraps=connection.chunked_cursor,
                              side_effect=lambda: opened.append("chunked") or DEFAULT):
        yield opened


def _payments(count):
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    finance_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    approver = UserFactory(roles=[Role.FINANCE_APPROVER])
    for _ in range(count):
        grant = make_accepted_grant()
        grant_activate(actor=officer, grant=grant)
        batched_payment(grant, officer, finance_officer, approver)
    return finance_officer


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_register_export_reads_from_the_replica(client, replica_reports, fmt):
    finance_officer = _payments(2)
    client.force_login(finance_officer)

    with cursors_opened(connections["replica"]) as on_replica:
        response = client.get(reverse("finance:disbursement_register"), {"format": fmt})
        body = b"".join(response.streaming_content) if response.streaming else b"".join(
            response)

    assert response.status_code == 200 and body
    assert on_replica


def test_a_bank_file_reads_from_the_primary_even_with_a_replica(client, replica_reports):
    """A batch's file must show the batch as just released: never from a lagging replica."""
    officer = UserFactory(roles=[Role.PROGRAMME_OFFICER])
    finance_officer = UserFactory(roles=[Role.FINANCE_OFFICER])
    approver = UserFactory(roles=[Role.FINANCE_APPROVER])
    grant = make_accepted_grant()
    grant_activate(actor=officer, grant=grant)
    _payment, batch = batched_payment(grant, officer, finance_officer, approver)
    client.force_login(finance_officer)

    with cursors_opened(connections["replica"]) as on_replica:
        response = client.get(reverse("finance:batch", args=[batch.pk]), {"format": "csv"})
        body = b"".join(response.streaming_content)

    assert response.status_code == 200 and body
    assert on_replica == []
