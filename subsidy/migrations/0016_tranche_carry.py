"""Carrying the unclaimed rest of a tranche paid in part to the next tranche.

On PostgreSQL a tranche's amount never falls below what was paid on it, and a paid tranche
never grows (money on it would be neither paid nor payable). The tranches still sum to the
approved amount (the deferred trigger of migration 0006).
"""

from django.db import migrations

TRIGGERS_SQL = r"""
CREATE FUNCTION subsidy_tranche_covers_paid() RETURNS trigger AS $$
DECLARE
    paid numeric;
BEGIN
    SELECT coalesce(sum(amount), 0) INTO paid FROM subsidy_disbursement
        WHERE tranche_id = NEW.id AND status = 'paid';
    IF NEW.amount < paid THEN
        RAISE EXCEPTION 'tranche % would be % but % was paid on it', NEW.id, NEW.amount, paid
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tranche_covers_paid';
    END IF;
    IF OLD.status = 'paid' AND NEW.amount > OLD.amount THEN
        RAISE EXCEPTION 'tranche % is paid: its amount cannot grow', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tranche_covers_paid';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER subsidy_tranche_covers_paid
    BEFORE UPDATE OF amount ON subsidy_tranche
    FOR EACH ROW EXECUTE FUNCTION subsidy_tranche_covers_paid();
"""

DROP_SQL = r"""
DROP TRIGGER IF EXISTS subsidy_tranche_covers_paid ON subsidy_tranche;
DROP FUNCTION IF EXISTS subsidy_tranche_covers_paid();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('subsidy', '0015_accounting_periods'),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(TRIGGERS_SQL), _on_postgresql(DROP_SQL)),
    ]
