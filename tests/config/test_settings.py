"""Settings selection from the environment, checked in fresh processes so that each case
loads config.settings from scratch under exactly the variables it names."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# Variables the settings read that would leak in from the environment running the tests.
CONTROLLED = {
    "DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS", "STAFF_REQUIRE_2FA", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS", "CONN_MAX_AGE", "EMAIL_URL",
    "DJANGO_SETTINGS_MODULE",
}
PRODUCTION = {
    "SECRET_KEY": "k7V2p9Qx-production-like-secret-key-with-enough-length-and-variety-81",
    "ALLOWED_HOSTS": "aiss.cyberport.hk",
}
SHOW = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "app_eager": app.conf.task_always_eager,
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "debug": settings.DEBUG,
    "staff_require_2fa": settings.STAFF_REQUIRE_2FA,
}))
"""


def _run(args, **env):
    clean = {key: value for key, value in os.environ.items() if key not in CONTROLLED}
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings"}, **env)
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True,
        timeout=120, check=False,
    )


def _settings(**env) -> dict:
    return dict(_settings_under(tuple(sorted(env.items()))))


# Several cases read the settings under the same variables (production's, say): the fresh
# process that loads them runs once for all of them (a second each, on CI's two cores).
@functools.cache
def _settings_under(env: tuple) -> tuple:
    result = _run(["-c", SHOW], **dict(env))
    assert result.returncode == 0, result.stderr
    return tuple(json.loads(result.stdout.strip().splitlines()[-1]).items())


def test_without_database_url_the_embedded_sqlite_file_is_used():
    loaded = _settings(**PRODUCTION)

    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"] == str(BASE_DIR / "db.sqlite3")


def test_postgres_url_selects_postgresql_with_persistent_connections():
    loaded = _settings(DATABASE_URL="postgres://aiss:secret@db.internal:5432/aiss", **PRODUCTION)

    assert loaded["engine"] == "django.db.backends.postgresql"
    assert loaded["name"] == "aiss"
    assert loaded["conn_max_age"] == 60


def test_without_broker_tasks_run_eagerly_with_a_local_cache():
    loaded = _settings(**PRODUCTION)

    assert loaded["eager"] is True
    assert loaded["app_eager"] is True
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_celery_broker_url_sends_tasks_to_redis_and_caches_there():
    loaded = _settings(CELERY_BROKER_URL="redis://broker.internal:6379/0", **PRODUCTION)

    assert loaded["eager"] is False
    assert loaded["app_eager"] is False
    assert loaded["cache"] == "subsidy.platform.cache.FailOpenRedisCache"
    assert loaded["cache_location"] == "redis://broker.internal:6379/0"


def test_redis_url_alone_is_broker_and_cache():
    loaded = _settings(REDIS_URL="redis://cache.internal:6379/1", **PRODUCTION)

    assert loaded["eager"] is False
    assert loaded["broker"] == "redis://cache.internal:6379/1"
    assert loaded["cache"] == "subsidy.platform.cache.FailOpenRedisCache"
    assert loaded["cache_location"] == "redis://cache.internal:6379/1"


def test_debug_is_off_and_staff_two_factor_required_unless_asked_otherwise():
    loaded = _settings(**PRODUCTION)

    assert loaded["debug"] is False
    assert loaded["staff_require_2fa"] is True


def test_local_debug_relaxes_staff_two_factor():
    loaded = _settings(DEBUG="1")

    assert loaded["debug"] is True
    assert loaded["staff_require_2fa"] is False


def test_debug_off_without_secret_key_is_refused_with_a_clear_message():
    result = _run(["-c", SHOW], ALLOWED_HOSTS="aiss.cyberport.hk")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_deploy_check_reports_nothing_with_production_environment():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


# The same loading, in a process that has imported pytest first (as a test run, a conftest or
# a tool built on pytest would): production's settings must not notice.
UNDER_PYTEST = "import pytest\n" + SHOW.replace(
    "print(json.dumps({", "print(json.dumps({\n    \"hashers\": settings.PASSWORD_HASHERS,", 1)


def test_importing_pytest_does_not_relax_the_secret_key_requirement():
    result = _run(["-c", UNDER_PYTEST], ALLOWED_HOSTS="aiss.cyberport.hk")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_importing_pytest_leaves_production_settings_as_they_are():
    result = _run(["-c", UNDER_PYTEST], **PRODUCTION)

    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["hashers"][0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert loaded["staff_require_2fa"] is True


def test_the_suite_runs_on_the_test_settings_named_by_pytest_configuration():
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings_test"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
