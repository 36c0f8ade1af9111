"""The audit trail becomes a hash chain and cannot be truncated.

* ``previous_hash``/``record_hash`` are added and the records already written are chained
  in insertion order (the append-only trigger is lifted for that one back-fill, inside this
  migration's transaction).
* On PostgreSQL ``aiss_audit_chain_tail()`` locks the chain and reads its newest hash.
* On PostgreSQL a statement trigger refuses TRUNCATE, and the triggers are ``ENABLE ALWAYS``:
  they fire even with ``session_replication_role = replica``. The one exception is the test
  suite's flush between tests, on a database named ``test_...`` whose session says so.
"""

from django.db import migrations, models
from django.db.models.functions import Length
from django.db.models.lookups import Exact

from subsidy.platform.audit import chain_hash

TRUNCATE_GUARD = r"""
CREATE OR REPLACE FUNCTION aiss_audit_no_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_database() LIKE 'test\_%'
            AND current_setting('aiss.test_flush', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events cannot be truncated' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON subsidy_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION aiss_audit_no_truncate();

ALTER TABLE subsidy_auditevent ENABLE ALWAYS TRIGGER audit_event_no_truncate;
ALTER TABLE subsidy_auditevent ENABLE ALWAYS TRIGGER audit_event_append_only;

-- Waits for the audit chain's lock (held to the end of the transaction), then reads the
-- newest record's hash. A VOLATILE function reads with a fresh snapshot after the wait, so it
-- sees the record the previous holder committed; one statement for the caller.
CREATE OR REPLACE FUNCTION aiss_audit_chain_tail(lock_key bigint) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    tail text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT record_hash INTO tail FROM subsidy_auditevent ORDER BY id DESC LIMIT 1;
    RETURN COALESCE(tail, '');
END;
$$;
"""

TRUNCATE_GUARD_REVERSE = r"""
DROP FUNCTION IF EXISTS aiss_audit_chain_tail(bigint);
ALTER TABLE subsidy_auditevent ENABLE TRIGGER audit_event_append_only;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON subsidy_auditevent;
DROP FUNCTION IF EXISTS aiss_audit_no_truncate();
"""


def chain_existing(apps, schema_editor):
    AuditEvent = apps.get_model("subsidy", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE subsidy_auditevent "
                              "DISABLE TRIGGER audit_event_append_only")
    previous = ""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        record_hash = chain_hash(previous, event)
        AuditEvent.objects.filter(pk=event.pk).update(previous_hash=previous,
                                                      record_hash=record_hash)
        previous = record_hash
    if postgres:
        schema_editor.execute("ALTER TABLE subsidy_auditevent "
                              "ENABLE TRIGGER audit_event_append_only")


def truncate_guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_GUARD, params=None)


def truncate_guard_reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRUNCATE_GUARD_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0011_ledger_recoveries")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="record_hash",
            field=models.CharField(editable=False, max_length=64, default=""),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.CheckConstraint(condition=Exact(Length("record_hash"), 64),
                                              name="audit_record_hash_sha256"),
        ),
        migrations.RunPython(truncate_guard, truncate_guard_reverse),
    ]
