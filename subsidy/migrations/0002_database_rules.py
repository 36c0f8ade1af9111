"""Rules that span rows, enforced by PostgreSQL itself as the last line behind the services.

* The envelopes of a scheme's rounds never sum past the scheme's budget. The trigger locks
  the scheme row first, so two transactions adding rounds at the same moment are checked one
  after the other and cannot both slip under the limit.
* A round's rubric weights sum to 100.
* Audit events are append-only.

SQLite (the embedded local default) relies on the services and ORM guards alone.
"""

from django.db import migrations

FORWARD = r"""
CREATE OR REPLACE FUNCTION aiss_rubric_weight_total(rubric jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(SUM((c ->> 'weight')::numeric), 0)
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof(rubric) = 'array'
                                   THEN rubric ELSE '[]'::jsonb END) AS c
$$;

ALTER TABLE subsidy_fundinground
    ADD CONSTRAINT round_rubric_weights_sum_100
    CHECK (aiss_rubric_weight_total(rubric) = 100);

CREATE OR REPLACE FUNCTION aiss_check_scheme_envelopes() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    scheme_budget numeric;
    allocated numeric;
    target_scheme bigint;
BEGIN
    IF TG_TABLE_NAME = 'subsidy_scheme' THEN
        target_scheme := NEW.id;
    ELSE
        target_scheme := NEW.scheme_id;
    END IF;
    SELECT budget INTO scheme_budget FROM subsidy_scheme WHERE id = target_scheme FOR UPDATE;
    SELECT COALESCE(SUM(envelope), 0) INTO allocated
        FROM subsidy_fundinground WHERE scheme_id = target_scheme;
    IF allocated > scheme_budget THEN
        RAISE EXCEPTION 'round envelopes (%) exceed the budget (%) of scheme %',
            allocated, scheme_budget, target_scheme
            USING ERRCODE = 'check_violation',
                  CONSTRAINT = 'scheme_envelopes_within_budget';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER round_envelopes_within_budget
    AFTER INSERT OR UPDATE OF envelope, scheme_id ON subsidy_fundinground
    FOR EACH ROW EXECUTE FUNCTION aiss_check_scheme_envelopes();

CREATE TRIGGER scheme_budget_covers_envelopes
    AFTER UPDATE OF budget ON subsidy_scheme
    FOR EACH ROW EXECUTE FUNCTION aiss_check_scheme_envelopes();

CREATE OR REPLACE FUNCTION aiss_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON subsidy_auditevent
    FOR EACH ROW EXECUTE FUNCTION aiss_audit_append_only();
"""

BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_event_append_only ON subsidy_auditevent;
DROP FUNCTION IF EXISTS aiss_audit_append_only();
DROP TRIGGER IF EXISTS scheme_budget_covers_envelopes ON subsidy_scheme;
DROP TRIGGER IF EXISTS round_envelopes_within_budget ON subsidy_fundinground;
DROP FUNCTION IF EXISTS aiss_check_scheme_envelopes();
ALTER TABLE subsidy_fundinground DROP CONSTRAINT IF EXISTS round_rubric_weights_sum_100;
DROP FUNCTION IF EXISTS aiss_rubric_weight_total(jsonb);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("subsidy", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
