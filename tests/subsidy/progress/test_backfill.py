"""Grants active before reporting existed are given their requirements: one per milestone
that has none, due on the milestone's date, and the final report; nothing existing is
repeated or moved, and running it again adds nothing (service, command, data migration)."""

from datetime import date
from importlib import import_module
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from applicants.models import Milestone
from subsidy.platform.models import AuditEvent
from subsidy.progress.models import OutcomeIndicator, ReportingRequirement
from subsidy.progress.services.requirements import (
    reporting_requirements_backfill,
    reporting_requirements_backfill_grant,
)
from subsidy.scheme.models import Grant
from tests.builders.finance import make_accepted_grant

pytestmark = pytest.mark.django_db


def _owed(grant):
    return list(ReportingRequirement.objects.filter(grant=grant).order_by("number")
                .values_list("number", "kind", "due_date"))


@pytest.fixture
def earlier_grant(active_grant):
    """An active grant as one started before reporting existed: no requirements, and a round
    without indicators."""
    ReportingRequirement.objects.filter(grant=active_grant).delete()
    OutcomeIndicator.objects.filter(round=active_grant.round).delete()
    return active_grant


EXPECTED = [(1, "milestone", date(2027, 1, 1)), (2, "milestone", date(2027, 4, 1)),
            (3, "milestone", date(2027, 7, 1)), (4, "final", date(2027, 10, 30))]


def test_an_earlier_grant_gets_its_milestone_and_final_reports_once(earlier_grant):
    assert reporting_requirements_backfill() == {earlier_grant.pk: 4}
    assert _owed(earlier_grant) == EXPECTED
    assert OutcomeIndicator.objects.filter(round=earlier_grant.round).count() == 6
    assert AuditEvent.objects.filter(action="grant.reporting_backfill").count() == 1

    assert reporting_requirements_backfill() == {}
    assert _owed(earlier_grant) == EXPECTED


def test_what_exists_is_neither_repeated_nor_moved(active_grant):
    # The second milestone moved after the grant started, and the third's requirement and
    # the final report are missing.
    Milestone.objects.filter(application_id=active_grant.application_id,
                             position=1).update(due_date=date(2027, 5, 15))
    ReportingRequirement.objects.filter(grant=active_grant, number__gte=3).delete()

    made = reporting_requirements_backfill_grant(grant=active_grant)

    assert [r.number for r in made] == [3, 4]
    assert _owed(active_grant) == EXPECTED  # report 2 keeps the date it was given


def test_a_grant_not_active_is_left_alone(earlier_grant):
    Grant.objects.filter(pk=earlier_grant.pk).update(status=Grant.Status.COMPLETED)
    assert reporting_requirements_backfill() == {}
    assert _owed(earlier_grant) == []


def test_the_command_says_what_it_added(earlier_grant):
    out = StringIO()
    call_command("reporting_requirements_backfill", stdout=out)
    assert f"grant {earlier_grant.pk}: 4 requirement(s) added" in out.getvalue()
    assert _owed(earlier_grant) == EXPECTED


def test_the_data_migration_plans_with_the_same_rule(earlier_grant):
    other = make_accepted_grant()  # accepted, not active: nothing owed yet
    migration = import_module("subsidy.migrations.0023_reporting_settings")

    migration.backfill_requirements(apps, None)
    migration.backfill_requirements(apps, None)

    assert _owed(earlier_grant) == EXPECTED
    assert _owed(other) == []
    assert OutcomeIndicator.objects.filter(round=earlier_grant.round).count() == 6
