"""The volume generator's bulk load on PostgreSQL: foreign keys, unique constraints and
indexes are dropped while the rows go in and added back before the commit, and the
round envelopes are checked once per round instead of once per grant, and the applications
counted per state once per round instead of once per row. Rows that break a rule are still
refused."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from applicants.models import Application, ApplicationStatusCount, Membership
from applicants.services.status_counts import COUNT_TRIGGERS, status_counts_drift
from subsidy.devdata.volume import VolumeError
from subsidy.devdata.volume.rows import BULK_TABLES, MONEY_TRIGGERS, bulk_checks, write_rows
from subsidy.finance.models import Tranche
from subsidy.scheme.models import Grant
from tests.factories.applicants import ApplicationFactory, OrganisationFactory
from tests.factories.platform import UserFactory
from tests.factories.scheme import FundingRoundFactory, GrantFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _definitions():
    tables = [model._meta.db_table for model in BULK_TABLES]
    with connection.cursor() as cursor:
        cursor.execute("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                       "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])", [tables])
        constraints = set(cursor.fetchall())
        # A partial index's condition comes back deparsed differently (the same test).
        cursor.execute("SELECT indexname, split_part(indexdef, ' WHERE ', 1), "
                       "indexdef LIKE '%% WHERE %%' FROM pg_indexes "
                       "WHERE tablename = ANY(%s)", [tables])
        return constraints, set(cursor.fetchall())


def test_constraints_and_indexes_come_back_as_they_were():
    before = _definitions()
    with transaction.atomic(), bulk_checks(list):
        assert _definitions() != before  # dropped while loading
    assert _definitions() == before


def test_a_row_without_its_parent_is_refused():
    before = _definitions()
    user = UserFactory()
    row = (10_000_001, 99_999_999, user.pk, "owner", timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic(), bulk_checks(list):
        write_rows(Membership, ["id", "organisation_id", "user_id", "role", "joined_at"],
                   [row], plain=True)
    assert not Membership.objects.exists()
    assert _definitions() == before


def test_a_round_over_its_envelope_is_refused():
    round_ = FundingRoundFactory(envelope=Decimal("1000000.00"),
                                 max_subsidy_per_project=Decimal("1000000.00"))
    application = ApplicationFactory(round=round_, status="approved",
                                     organisation=OrganisationFactory(),
                                     requested_subsidy=Decimal("900000.00"))
    officer = UserFactory()
    now = timezone.now()
    row = (application.pk, round_.pk, "offered", Decimal("2000000.00"), Decimal("50"), False,
           "", "", officer.pk, now, now + timedelta(days=30), None, None, None, now, now)
    with pytest.raises(VolumeError, match="envelope"), transaction.atomic(), \
            bulk_checks(lambda: [round_]):
        write_rows(Grant, ["application_id", "round_id", "status", "approved_amount",
                           "approved_ratio_percent", "exceptional_case",
                           "exceptional_justification", "conditions", "decided_by_id",
                           "decided_at", "offer_expires_at", "responded_at",
                           "activated_at", "closed_at", "created_at", "updated_at"],
                   [row], plain=True)
    assert not Grant.objects.exists()


def test_the_applications_are_counted_per_state_once_after_the_load():
    ApplicationFactory(round=FundingRoundFactory(), status="submitted")
    call_command("generate_volume", "--applications", "60", stdout=StringIO())
    assert status_counts_drift() == []
    assert (ApplicationStatusCount.objects.aggregate(n=Sum("applications"))["n"]
            == Application.objects.exclude(status="draft").count() > 1)
    with connection.cursor() as cursor:  # switched on again for what comes after the load
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) "
                       "AND tgenabled = 'O'", [list(COUNT_TRIGGERS)])
        assert len(cursor.fetchall()) == len(COUNT_TRIGGERS)


def test_tranches_not_summing_to_their_grant_are_refused_once_checked():
    grant = GrantFactory(status="active")
    before = _definitions()
    half = grant.approved_amount / 2
    with pytest.raises(VolumeError, match="tranches not summing"), transaction.atomic(), \
            bulk_checks(lambda: [grant.round]):
        write_rows(Tranche, ["id", "grant_id", "number", "milestone_id", "description",
                             "due_date", "amount", "status"],
                   [(10_000_001, grant.pk, 1, None, "Prototype", date(2027, 6, 30), half,
                     "scheduled")], plain=True)
    assert not Tranche.objects.exists()
    assert _definitions() == before
    with connection.cursor() as cursor:  # the rule's own trigger is back on
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgenabled = 'O' AND tgname = "
                       "ANY(%s)", [[trigger for _model, trigger in MONEY_TRIGGERS]])
        assert cursor.fetchone()[0] == len(MONEY_TRIGGERS)
