"""Connected as the application's own database role, the audit trail can be appended to and
read, and nothing else: no UPDATE, DELETE or TRUNCATE, no disabling its triggers, no replica
mode. The role is made for the test (roles belong to the whole cluster: a unique name) and
granted its rights by ``manage.py db_roles``, as the deployment does after migrate."""

import uuid

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from subsidy.platform.audit import audit_record
from subsidy.platform.figure_cache import FINANCE, versions
from subsidy.platform.models import AuditEvent
from tests.factories import SchemeFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def app_role():
    role = f"aiss_app_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN PASSWORD %s', [role])
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def as_app_role(app_role):
    call_command("db_roles", role=app_role)
    settings_dict = connection.settings_dict
    with psycopg.connect(dbname=settings_dict["NAME"], user=app_role, password=app_role,
                         host=settings_dict["HOST"] or None,
                         port=settings_dict["PORT"] or None, autocommit=True) as conn:
        yield conn


def _refused(conn, sql: str, match: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match=match):
        conn.execute(sql)


def test_the_application_role_can_only_append_to_and_read_the_audit_trail(as_app_role):
    event = audit_record(actor=None, action="round.open", obj=SchemeFactory())
    conn = as_app_role

    assert conn.execute("SELECT count(*) FROM subsidy_auditevent").fetchone() == (1,)
    conn.execute(
        "INSERT INTO subsidy_auditevent (at, actor_label, action, object_type, object_id, "
        "object_repr, previous_hash, record_hash) VALUES (now(), 'system', 'x', 't', '1', "
        "'', %s, %s)", [event.record_hash, "a" * 64])

    _refused(conn, "UPDATE subsidy_auditevent SET action = 'tampered'", "permission denied")
    _refused(conn, "DELETE FROM subsidy_auditevent", "permission denied")
    _refused(conn, "TRUNCATE subsidy_auditevent", "permission denied")
    _refused(conn, "ALTER TABLE subsidy_auditevent DISABLE TRIGGER audit_event_append_only",
             "must be owner")
    _refused(conn, "ALTER TABLE subsidy_auditevent DISABLE TRIGGER ALL", "must be owner")
    _refused(conn, "SET session_replication_role = replica", "permission denied")
    _refused(conn, "DROP TABLE subsidy_auditevent", "must be owner")
    assert AuditEvent.objects.get(pk=event.pk).action == "round.open"
    assert AuditEvent.objects.count() == 2


def test_the_application_role_reads_and_writes_the_other_tables(as_app_role):
    scheme = SchemeFactory()
    conn = as_app_role
    conn.execute("UPDATE subsidy_scheme SET name_en = 'Renamed' WHERE id = %s", [scheme.pk])
    scheme.refresh_from_db()
    assert scheme.name_en == "Renamed"
    _refused(conn, "DELETE FROM django_migrations", "permission denied")


def test_db_roles_refuses_a_superuser_or_the_connected_role(app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (current,) = cursor.fetchone()
        with pytest.raises(CommandError, match="the role connected now"):
            call_command("db_roles", role=current)
        cursor.execute(f'ALTER ROLE "{app_role}" SUPERUSER')
    with pytest.raises(CommandError, match="is a superuser"):
        call_command("db_roles", role=app_role)
    with pytest.raises(CommandError, match="does not exist"):
        call_command("db_roles", role=f"{app_role}_missing")


def test_the_application_roles_writes_change_the_versions_of_the_cached_figures(as_app_role):
    SchemeFactory()
    before = versions((FINANCE,))
    as_app_role.execute("UPDATE subsidy_scheme SET budget = budget")
    assert versions((FINANCE,)) not in (None, before)
