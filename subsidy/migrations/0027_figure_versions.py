"""Versions of the cached figures (``subsidy.platform.figure_cache``).

A figure computed from many rows (the finance dashboard's, a round's ranking, a round's
reviewer statistics) is cached under a key that includes the version of what it reads.
Every statement that writes one of the tables a figure reads, a bulk ``UPDATE``,
``COPY`` or ``TRUNCATE`` included, marks that version changed in its transaction (a
statement trigger), and the new version is written as the transaction commits (a deferred
trigger): the key changes in the very commit that changes the data, so a cached figure is
never older than the data. The version's row is locked only for the moment of the commit,
so writers do not queue behind one another for it; a transaction's own uncommitted changes
are seen by its own reads, which then bypass the cache.

PostgreSQL only: on SQLite (``make run``) there are no triggers and the figures are never
cached.
"""

from django.db import migrations

# scope -> the tables its figures read
SCOPES = {
    "assessment": ("applicants_application", "applicants_organisation", "reviews_assignment",
                   "reviews_review"),
    "finance": ("subsidy_scheme", "subsidy_fundinground", "subsidy_grant",
                "applicants_application", "applicants_organisation",
                "subsidy_computeallocation", "subsidy_computecharge", "subsidy_tranche",
                "subsidy_disbursement", "subsidy_recoveryreceipt",
                "subsidy_accountingperiod", "subsidy_periodadjustment"),
}

TABLES_SQL = """
CREATE TABLE aiss_figure_version (
    scope varchar(20) PRIMARY KEY,
    token uuid NOT NULL DEFAULT gen_random_uuid()
);
INSERT INTO aiss_figure_version (scope) VALUES {scopes};
-- One row per scope per writing transaction, deleted as it commits: the carrier of the
-- deferred trigger, and what tells a transaction that it has changed a scope itself.
CREATE TABLE aiss_figure_change (
    id bigserial PRIMARY KEY,
    scope varchar(20) NOT NULL,
    xact xid8 NOT NULL DEFAULT pg_current_xact_id()
);

CREATE FUNCTION aiss_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    FOREACH changed IN ARRAY TG_ARGV LOOP
        IF coalesce(current_setting('aiss.figures_' || changed, true), '') = '' THEN
            -- Local to the transaction (and undone with a rolled-back savepoint, as is
            -- the row): once per scope and transaction.
            PERFORM set_config('aiss.figures_' || changed, 'changed', true);
            INSERT INTO aiss_figure_change (scope) VALUES (changed);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE FUNCTION aiss_figures_commit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    -- The first of the transaction's rows does the work for all of them: every scope the
    -- transaction changed, in one order, so two commits never wait for each other's rows
    -- crosswise. (Fired earlier by SET CONSTRAINTS ... IMMEDIATE, the flags start again,
    -- and a later write of the same transaction changes the version once more.)
    FOR changed IN SELECT DISTINCT scope FROM aiss_figure_change
                   WHERE xact = pg_current_xact_id() ORDER BY scope LOOP
        UPDATE aiss_figure_version SET token = gen_random_uuid() WHERE scope = changed;
        PERFORM set_config('aiss.figures_' || changed, '', true);
    END LOOP;
    DELETE FROM aiss_figure_change WHERE xact = pg_current_xact_id();
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER aiss_figures_commit AFTER INSERT ON aiss_figure_change
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aiss_figures_commit();
"""

TRIGGER_SQL = """
CREATE TRIGGER aiss_figures_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION aiss_figures_changed({scopes});
"""


def _tables() -> dict[str, list[str]]:
    scopes_of: dict[str, list[str]] = {}
    for scope, tables in SCOPES.items():
        for table in tables:
            scopes_of.setdefault(table, []).append(scope)
    return scopes_of


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(TABLES_SQL.format(
        scopes=", ".join(f"('{scope}')" for scope in SCOPES)), params=None)
    for table, scopes in _tables().items():
        schema_editor.execute(TRIGGER_SQL.format(
            table=table, scopes=", ".join(f"'{scope}'" for scope in scopes)), params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables():
        schema_editor.execute(f"DROP TRIGGER IF EXISTS aiss_figures_changed ON {table}",
                              params=None)
    schema_editor.execute("DROP TABLE IF EXISTS aiss_figure_change, aiss_figure_version; "
                          "DROP FUNCTION IF EXISTS aiss_figures_commit(); "
                          "DROP FUNCTION IF EXISTS aiss_figures_changed();", params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("subsidy", "0026_agreement_version_signed_by_company"),
        ("applicants", "0009_organisation_registrations"),
        ("reviews", "0003_panel_meetings"),
    ]

    operations = [migrations.RunPython(create, drop)]
