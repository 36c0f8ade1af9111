"""The application's database role: ordinary reads and writes, but the audit trail only
appended to and read.

Two roles share the database (docs/deployment.md): the migration role owns the tables and
runs ``migrate``; the application role, which web, worker and beat connect as, owns nothing.
Not owning a table, it cannot ``ALTER TABLE … DISABLE TRIGGER``; not a superuser, it cannot
``SET session_replication_role``; and it is granted neither UPDATE, DELETE nor TRUNCATE on
the audit table. ``manage.py db_roles`` applies this after every migration, as the owner.
"""

from django.db import connection

AUDIT_TABLE = "subsidy_auditevent"
# The migration history is the owner's business; the application only reads it.
READ_ONLY_TABLES = ("django_migrations", AUDIT_TABLE)


class RoleError(Exception):
    pass


def app_role_statements(role: str) -> list[str]:
    """The grants, in order, that leave ``role`` exactly its rights on every table of the
    current schema. Idempotent: everything is revoked first, then granted again."""
    q = connection.ops.quote_name
    role_name = q(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_schema()")
        database, schema = cursor.fetchone()
    return [
        f"GRANT CONNECT ON DATABASE {q(database)} TO {role_name}",
        f"GRANT USAGE ON SCHEMA {q(schema)} TO {role_name}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {q(schema)} FROM {role_name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {q(schema)} "
        f"TO {role_name}",
        f"REVOKE INSERT, UPDATE, DELETE ON {q('django_migrations')} FROM {role_name}",
        f"REVOKE UPDATE, DELETE ON {q(AUDIT_TABLE)} FROM {role_name}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {q(schema)} FROM {role_name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {q(schema)} TO {role_name}",
    ]


def app_role_grant(role: str) -> list[str]:
    """Apply ``app_role_statements`` as the connected (owning) role. Refuses a role that
    does not exist, that is the connected role itself, a superuser, or one that owns tables:
    any of these could undo the audit trail's protections."""
    if connection.vendor != "postgresql":
        raise RoleError("Database roles apply to PostgreSQL only.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls, rolname = current_user FROM pg_roles "
                       "WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise RoleError(f"The role {role!r} does not exist: create it first "
                            "(docs/deployment.md).")
        superuser, bypass_rls, is_current = row
        if is_current:
            raise RoleError(f"{role!r} is the role connected now: run this as the owner, "
                            "with the application's role named separately.")
        if superuser or bypass_rls:
            raise RoleError(f"{role!r} is a superuser: the audit trail's triggers cannot "
                            "bind it. Give the application an ordinary role.")
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() "
                       "AND tableowner = %s", [role])
        if cursor.fetchone()[0]:
            raise RoleError(f"{role!r} owns tables; the owner may disable triggers. "
                            "Give the tables to the migration role (ALTER TABLE … OWNER TO).")
        statements = app_role_statements(role)
        for statement in statements:
            cursor.execute(statement)
    return statements
