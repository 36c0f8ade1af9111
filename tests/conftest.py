import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from config.celery import app as celery_app
from tests.builders.clamd import FakeClamd


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)"
    )
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(skip_pg)


# Tables whose own triggers refuse a DELETE whatever the session says (``ENABLE ALWAYS``, as
# the audit trail's append-only trigger): these are emptied with TRUNCATE, which they allow
# on a test_ database whose session sets aiss.test_flush (config/settings_test.py).
_ALWAYS_TRIGGERED = """
SELECT current_setting('is_superuser') = 'on',
       COALESCE(array_agg(DISTINCT tgrelid::regclass::text)
                FILTER (WHERE tgrelid IS NOT NULL), '{}')
FROM (SELECT 1) one
LEFT JOIN pg_trigger ON tgenabled = 'A' AND NOT tgisinternal
"""


@pytest.fixture(scope="session", autouse=True)
def _transactional_tests_empty_tables_by_delete():
    """After a transactional test (``transaction=True``, live server, browser), Django empties
    every table with one TRUNCATE; on PostgreSQL that makes and drops the files of every table
    and index (about 90 tables here), seconds on a busy disk, for tables that hold a handful
    of rows. DELETE empties them just as well in milliseconds. The rows go in one transaction
    with the tables' own triggers and foreign-key checks off (``session_replication_role``,
    which needs a superuser, as CI connects); without one, the TRUNCATE stays."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if not tables or reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences,
                            allow_cascade=allow_cascade)
        with self.connection.cursor() as cursor:
            cursor.execute(_ALWAYS_TRIGGERED)
            superuser, always_triggered = cursor.fetchone()
        if not superuser:
            return truncate(self, style, tables)
        deleted = [table for table in tables if table not in always_triggered]
        return ["SET LOCAL session_replication_role = replica;",
                *(f"DELETE FROM {self.quote_name(table)};" for table in deleted),
                *truncate(self, style, [table for table in tables if table not in deleted])]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request, settings):
    """Unit and view tests deliver tasks in-process; tests marked ``worker`` use a real
    Celery worker on the configured broker instead."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_local_cache(settings):
    """Each test starts with an empty in-memory cache. With REDIS_URL set (as in CI) the
    configured cache is Redis, where allauth's rate limits (one confirmation email per
    address every few minutes, signups per IP) would outlive the test and leak into the next
    ones; and clearing it would flush the broker's database."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "tests"}}
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request leaves its language (a Chinese-speaking user's, say) active in the thread;
    reset it so that no test sees the language of the one before."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


# A partner organisation (and another one), for the API's tests and the partner's pages.
@pytest.fixture
def partner(db):
    from subsidy.platform.models import PartnerOrganisation

    return PartnerOrganisation.objects.create(name="HKU iDendron",
                                              contact_email="api@idendron.example.hk")


@pytest.fixture
def other_partner(db):
    from subsidy.platform.models import PartnerOrganisation

    return PartnerOrganisation.objects.create(name="HKSTP Incubation",
                                              contact_email="api@hkstp.example.hk")


# The Django admin's user: a scheme administrator with the admin site's rights, as
# ``createsuperuser`` makes one.
@pytest.fixture
def site_admin(db):
    from subsidy.platform.models import User

    return User.objects.create_superuser("root@cyberport.example.hk", "Correct-Horse-Battery-9")


@pytest.fixture
def as_site_admin(client, site_admin):
    from tests.builders.accounts import confirm_identity

    client.force_login(site_admin)
    # Role, password and account changes ask for the password again (the step-up).
    return confirm_identity(client)


@pytest.fixture
def clamd(settings):
    """A stand-in clamd (``tests.builders.clamd``) configured as the virus scanner."""
    server = FakeClamd()
    settings.VIRUS_SCANNER = "clamd"
    settings.CLAMD_URL = server.url
    settings.CLAMD_TIMEOUT = 2
    yield server
    server.close()
