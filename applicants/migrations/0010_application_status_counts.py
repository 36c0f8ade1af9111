"""Applications per round and state, kept by the database in the same transaction as every
change (``ApplicationStatusCount``): row triggers on insert, on a change of state or round,
and on delete, on PostgreSQL and SQLite alike, so that no bulk ``UPDATE``, ``COPY`` or admin
action can pass them by. Drafts are not counted: the staff queues never show them, and the
deadline's thousands of new drafts then touch no counter row. The counts of the rows already
there are taken once, under a lock that keeps transitions out meanwhile.

On PostgreSQL a transition takes at most two counter rows, always in the order (round,
state), so two transactions moving applications between the same states wait for each
other instead of deadlocking.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "applicants_applicationstatuscount"

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION aiss_application_status_count() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {TABLE} AS c (round_id, status, applications)
        SELECT d.round_id, d.status, SUM(d.delta)
        FROM (SELECT OLD.round_id, OLD.status, -1 WHERE TG_OP <> 'INSERT'
              UNION ALL
              SELECT NEW.round_id, NEW.status, 1 WHERE TG_OP <> 'DELETE')
             AS d (round_id, status, delta)
        WHERE d.status <> 'draft'
        GROUP BY d.round_id, d.status
        HAVING SUM(d.delta) <> 0
        ORDER BY d.round_id, d.status
        ON CONFLICT (round_id, status)
            DO UPDATE SET applications = c.applications + EXCLUDED.applications;
        RETURN NULL;
    END;
    $$""",
    """
    CREATE OR REPLACE FUNCTION aiss_application_status_count_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM applicants_applicationstatuscount;
        RETURN NULL;
    END;
    $$""",
    """
    CREATE TRIGGER application_status_count_insert
        AFTER INSERT ON applicants_application
        FOR EACH ROW WHEN (NEW.status <> 'draft')
        EXECUTE FUNCTION aiss_application_status_count()""",
    """
    CREATE TRIGGER application_status_count_update
        AFTER UPDATE OF status, round_id ON applicants_application
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                           OR OLD.round_id IS DISTINCT FROM NEW.round_id)
        EXECUTE FUNCTION aiss_application_status_count()""",
    """
    CREATE TRIGGER application_status_count_delete
        AFTER DELETE ON applicants_application
        FOR EACH ROW WHEN (OLD.status <> 'draft')
        EXECUTE FUNCTION aiss_application_status_count()""",
    """
    CREATE TRIGGER application_status_count_truncate
        AFTER TRUNCATE ON applicants_application
        FOR EACH STATEMENT EXECUTE FUNCTION aiss_application_status_count_truncate()""",
    # Transitions wait while the rows already there are counted (and counted once).
    "LOCK TABLE applicants_application IN SHARE ROW EXCLUSIVE MODE",
]

POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS application_status_count_truncate ON applicants_application",
    "DROP TRIGGER IF EXISTS application_status_count_delete ON applicants_application",
    "DROP TRIGGER IF EXISTS application_status_count_update ON applicants_application",
    "DROP TRIGGER IF EXISTS application_status_count_insert ON applicants_application",
    "DROP FUNCTION IF EXISTS aiss_application_status_count_truncate()",
    "DROP FUNCTION IF EXISTS aiss_application_status_count()",
]

_SQLITE_ADD = f"""
        INSERT INTO {TABLE} (round_id, status, applications)
        SELECT NEW.round_id, NEW.status, 1 WHERE NEW.status <> 'draft'
        ON CONFLICT (round_id, status) DO UPDATE SET applications = applications + 1;"""
_SQLITE_SUBTRACT = f"""
        UPDATE {TABLE} SET applications = applications - 1
        WHERE round_id = OLD.round_id AND status = OLD.status AND OLD.status <> 'draft';"""

SQLITE = [
    f"""
    CREATE TRIGGER application_status_count_insert
    AFTER INSERT ON applicants_application WHEN NEW.status <> 'draft'
    BEGIN {_SQLITE_ADD}
    END""",
    f"""
    CREATE TRIGGER application_status_count_update
    AFTER UPDATE OF status, round_id ON applicants_application
    WHEN OLD.status IS NOT NEW.status OR OLD.round_id IS NOT NEW.round_id
    BEGIN {_SQLITE_SUBTRACT} {_SQLITE_ADD}
    END""",
    f"""
    CREATE TRIGGER application_status_count_delete
    AFTER DELETE ON applicants_application WHEN OLD.status <> 'draft'
    BEGIN {_SQLITE_SUBTRACT}
    END""",
]

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS application_status_count_delete",
    "DROP TRIGGER IF EXISTS application_status_count_update",
    "DROP TRIGGER IF EXISTS application_status_count_insert",
]

COUNT_EXISTING = f"""
    INSERT INTO {TABLE} (round_id, status, applications)
    SELECT round_id, status, COUNT(*) FROM applicants_application
    WHERE status <> 'draft' GROUP BY round_id, status"""


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(statement, params=None)
    schema_editor.execute(COUNT_EXISTING, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('applicants', '0009_organisation_registrations'),
        ('subsidy', '0022_claim_progress_report'),
    ]

    operations = [
        migrations.CreateModel(
            name='ApplicationStatusCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('screening', 'Screening'), ('ineligible', 'Ineligible'), ('info_requested', 'Information requested'), ('in_review', 'In review'), ('reviewed', 'Reviewed'), ('approved', 'Approved'), ('rejected', 'Rejected'), ('waitlisted', 'Waitlisted'), ('offered', 'Offered'), ('accepted', 'Offer accepted'), ('declined', 'Offer declined'), ('lapsed', 'Offer lapsed'), ('active', 'Active'), ('completed', 'Completed'), ('terminated', 'Terminated'), ('withdrawn', 'Withdrawn')], max_length=20)),
                ('applications', models.IntegerField(default=0)),
                ('round', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='subsidy.fundinground')),
            ],
            options={
                'verbose_name': 'applications in a state',
                'verbose_name_plural': 'applications in each state',
                'constraints': [models.UniqueConstraint(fields=('round', 'status'), name='application_status_count_unique')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
