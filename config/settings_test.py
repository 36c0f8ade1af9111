"""Settings of the test suite, named by ``DJANGO_SETTINGS_MODULE`` in pyproject.toml.

They are production's settings (``config.settings``), read from the same environment, so a
run with ``DATABASE_URL``/``CELERY_BROKER_URL`` (as in .ci/run) tests PostgreSQL and Redis,
plus only what a test run needs on top. Processes the tests start (a Celery worker, a
``manage.py check``) name ``config.settings`` themselves and get production's settings.
"""

import os

# Production refuses to start without SECRET_KEY while DEBUG is off; tests run with DEBUG off
# and a throwaway key. The key is in the environment only while the settings load, so the
# processes the tests start do not inherit it.
_given_secret_key = os.environ.get("SECRET_KEY")
os.environ["SECRET_KEY"] = _given_secret_key or "insecure-test-key-never-used-in-production"
try:
    from config.settings import *  # noqa: F403
    from config.settings import DATABASES, STORAGES, env
finally:
    if _given_secret_key is None:
        del os.environ["SECRET_KEY"]

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The suite creates thousands of users: a deliberately slow hasher would dominate its time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests of staff pages sign in without TOTP; the two-factor tests turn it on themselves.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)

# The test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False

# No collectstatic before a test run: static files come unhashed from the app folders.
STORAGES = {**STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Live-server threads must not keep connections that block dropping the test database
    # at the end of the run.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    # Django empties the tables between transactional tests with TRUNCATE, which the audit
    # trail refuses; on a test_ database only, a session that says so may (migration 0012).
    # A commit need not wait for the disk on a database dropped at the end of the run
    # (transactional tests commit and truncate hundreds of times); it is as durable as ever
    # for every other session, and a crash loses nothing a test run needs.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (f"{_options.get('options', '')} -c aiss.test_flush=on"
                           " -c synchronous_commit=off").strip()

# A second alias on the same database, as a read replica would be configured: the routing
# tests send reporting reads to it. The rest of the suite reports from "default".
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
