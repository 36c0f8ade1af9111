"""The audit trail is a hash chain: each record names the hash of the one before it, and
``manage.py audit_verify`` walks it and names the first record changed or removed."""

import threading
import time
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from subsidy.platform.audit import audit_chain_verify, audit_record, chain_hash
from subsidy.platform.models import AuditEvent
from tests.factories import SchemeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params=()) -> None:
    """Change the trail behind the application's back, as the owning role could with the
    append-only trigger lifted (SQLite has no trigger)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The test's own inserts leave deferred foreign-key checks that ALTER refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE subsidy_auditevent "
                           "DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE subsidy_auditevent "
                           "ENABLE ALWAYS TRIGGER audit_event_append_only")


def _three_events():
    scheme, officer = SchemeFactory(), UserFactory()
    return [audit_record(actor=officer, action=f"scheme.step{n}", obj=scheme,
                         before={"n": n, "amount": 1e16, "ratio": 0.3},
                         after={"n": n + 1, "nested": {"b": [1, 2], "a": "五"}},
                         ip_address="2001:0db8:0000::0001")
            for n in range(3)]


def test_each_record_carries_the_hash_of_the_one_before_it():
    first, second, third = _three_events()
    assert first.previous_hash == ""
    assert second.previous_hash == first.record_hash
    assert third.previous_hash == second.record_hash
    # What is read back hashes as what was written (JSONB, inet and time round trips).
    for event in AuditEvent.objects.order_by("id"):
        assert event.record_hash == chain_hash(event.previous_hash, event)


def test_audit_verify_passes_on_an_unbroken_chain(capsys):
    _three_events()
    call_command("audit_verify")
    assert "Audit chain intact: 3 record(s)." in capsys.readouterr().out


def test_audit_verify_names_a_changed_record():
    _first, second, _third = _three_events()
    _tamper("UPDATE subsidy_auditevent SET actor_label = 'someone else' WHERE id = %s",
            [second.pk])
    with pytest.raises(CommandError, match=f"broken at record {second.pk}: its content"):
        call_command("audit_verify")


def test_audit_verify_names_the_record_after_a_removed_one():
    _first, second, third = _three_events()
    _tamper("DELETE FROM subsidy_auditevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=f"broken at record {third.pk}: it does not follow"):
        call_command("audit_verify")


def test_audit_verify_finds_a_rehashed_record_by_its_successor():
    """Rewriting a record and its own hash still breaks the link to the next one."""
    first, second, third = _three_events()
    event = AuditEvent.objects.get(pk=second.pk)
    event.action = "scheme.nothing_happened"
    _tamper("UPDATE subsidy_auditevent SET action = %s, record_hash = %s WHERE id = %s",
            [event.action, chain_hash(first.record_hash, event), second.pk])
    checked, broken = audit_chain_verify()
    assert (checked, broken.event_id) == (2, third.pk)


def test_the_migration_chains_records_written_before_it():
    _three_events()
    _tamper("UPDATE subsidy_auditevent SET previous_hash = '', record_hash = %s", ["0" * 64])
    assert audit_chain_verify()[1] is not None
    migration = import_module("subsidy.migrations.0012_audit_chain")
    # SQLite's schema editor cannot open inside the test's transaction; the back-fill needs
    # only its connection and execute().
    editor = SimpleNamespace(connection=connection,
                             execute=lambda sql: connection.cursor().execute(sql))
    migration.chain_existing(django_apps, editor)
    assert audit_chain_verify() == (3, None)


@pytest.mark.postgres
def test_truncate_is_refused_by_the_database():
    audit_record(actor=None, action="round.open", obj=SchemeFactory())
    with pytest.raises(Exception, match="cannot be truncated"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL aiss.test_flush = 'off'")
        cursor.execute("TRUNCATE subsidy_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


@pytest.mark.postgres
def test_replica_mode_does_not_silence_the_append_only_trigger():
    audit_record(actor=None, action="round.open", obj=SchemeFactory())
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM subsidy_auditevent")
    assert AuditEvent.objects.count() == 1


WRITERS = 16


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Sixteen transactions, each on its own connection, append at the same moment and
    linger before committing: each waits for the one before, so no two records name the
    same predecessor."""
    scheme = SchemeFactory()
    barrier = threading.Barrier(WRITERS)
    errors: list[str] = []

    def write(n):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                audit_record(actor=None, action=f"race.{n}", obj=scheme)
                time.sleep(0.02)
        except Exception as exc:  # noqa: BLE001 - any failure is what the test catches
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert audit_chain_verify() == (WRITERS, None)
    previous = list(AuditEvent.objects.values_list("previous_hash", flat=True))
    assert len(set(previous)) == WRITERS
