"""The grant statuses that commit money are defined once, on the Grant model; the envelope
trigger of PostgreSQL (its function as migration 0020 last wrote it) must count the same
ones."""

import re
from importlib import import_module

import pytest
from django.db import connection

from subsidy.scheme.models import Grant

ENVELOPE_RULES = import_module("subsidy.migrations.0020_compute")


def _statuses_the_sql_counts(sql: str) -> tuple[set[str], set[str]]:
    """The statuses whose approved amount the SQL commits, and those whose net paid amount
    it commits (the closed grants)."""
    whole = re.search(r"(?<!g\.)status\s+IN\s*\(([^)]*)\)", sql, re.IGNORECASE)
    paid = re.search(r"g\.status\s+IN\s*\(([^)]*)\)", sql, re.IGNORECASE)
    return (set(re.findall(r"'(\w+)'", whole.group(1))),
            set(re.findall(r"'(\w+)'", paid.group(1))))


def _model_statuses() -> tuple[set[str], set[str]]:
    return ({s.value for s in Grant.COMMITTING_STATUSES},
            {s.value for s in Grant.CLOSED_STATUSES})


def test_the_envelope_trigger_of_the_migration_counts_the_model_s_committing_statuses():
    function = ENVELOPE_RULES.FORWARD.split("CREATE OR REPLACE FUNCTION")[1]
    assert "aiss_round_committed" in function

    assert _statuses_the_sql_counts(function) == _model_statuses()


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_envelope_trigger_in_the_database_counts_the_model_s_committing_statuses():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('aiss_round_committed(bigint)'::regprocedure)")
        (definition,) = cursor.fetchone()

    assert _statuses_the_sql_counts(definition) == _model_statuses()
