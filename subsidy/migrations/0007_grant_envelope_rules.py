"""The round envelope as a database rule: what is committed never exceeds it.

committed(round) = approved amounts of its offered, accepted, active and completed grants,
plus what was paid on its terminated grants (DOMAIN.md, "Money").

* A constraint trigger on grants (new grant, changed amount, status or round) locks the
  round row, then sums the commitments: concurrent approvals in one round are checked one
  after the other and cannot together pass the envelope.
* A trigger on rounds refuses an envelope lowered below what is already committed.

Both raise ``check_violation``. SQLite (the embedded local default) relies on the services'
row locks and checks alone.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION aiss_round_committed(target_round bigint) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    committed numeric;
    paid numeric := 0;
BEGIN
    SELECT COALESCE(SUM(approved_amount), 0) INTO committed FROM subsidy_grant
        WHERE round_id = target_round
          AND status IN ('offered', 'accepted', 'active', 'completed');
    -- Payments on terminated grants stay committed once the payments table exists.
    IF to_regclass('subsidy_disbursement') IS NOT NULL THEN
        EXECUTE 'SELECT COALESCE(SUM(d.amount), 0) FROM subsidy_disbursement d '
                'JOIN subsidy_grant g ON g.id = d.grant_id '
                'WHERE g.round_id = $1 AND g.status = ''terminated'' AND d.status = ''paid'''
            INTO paid USING target_round;
    END IF;
    RETURN committed + paid;
END;
$$;

CREATE OR REPLACE FUNCTION aiss_check_round_envelope() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    round_envelope numeric;
    committed numeric;
    round_code text;
BEGIN
    SELECT envelope, code INTO round_envelope, round_code FROM subsidy_fundinground
        WHERE id = NEW.round_id FOR UPDATE;
    committed := aiss_round_committed(NEW.round_id);
    IF committed > round_envelope THEN
        RAISE EXCEPTION 'envelope exhausted: round % commits % of its envelope %',
            round_code, committed, round_envelope
            USING ERRCODE = 'check_violation', CONSTRAINT = 'round_committed_within_envelope';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER grant_committed_within_envelope
    AFTER INSERT OR UPDATE OF approved_amount, status, round_id ON subsidy_grant
    NOT DEFERRABLE
    FOR EACH ROW EXECUTE FUNCTION aiss_check_round_envelope();

CREATE OR REPLACE FUNCTION aiss_check_envelope_covers_commitments() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    committed numeric;
BEGIN
    IF NEW.envelope < OLD.envelope THEN
        committed := aiss_round_committed(NEW.id);
        IF committed > NEW.envelope THEN
            RAISE EXCEPTION 'the envelope % of round % is below the % already committed',
                NEW.envelope, NEW.code, committed
                USING ERRCODE = 'check_violation',
                      CONSTRAINT = 'round_envelope_covers_commitments';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER round_envelope_covers_commitments
    AFTER UPDATE OF envelope ON subsidy_fundinground
    FOR EACH ROW EXECUTE FUNCTION aiss_check_envelope_covers_commitments();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS round_envelope_covers_commitments ON subsidy_fundinground;
DROP FUNCTION IF EXISTS aiss_check_envelope_covers_commitments();
DROP TRIGGER IF EXISTS grant_committed_within_envelope ON subsidy_grant;
DROP FUNCTION IF EXISTS aiss_check_round_envelope();
DROP FUNCTION IF EXISTS aiss_round_committed(bigint);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0006_disbursement")]

    operations = [migrations.RunPython(forward, backward)]
