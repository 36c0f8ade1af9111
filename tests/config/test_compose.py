"""docker-compose.yml and the Dockerfile agree with the code: there is no container engine
here, so the files are read and every module, setting and path they name is checked."""

import importlib
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

from config.celery import app as celery_app

BASE_DIR = Path(settings.BASE_DIR)
APP_SERVICES = ["migrate", "web", "worker", "beat"]
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()
# ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message} and ${NAME}.
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _resolved(value: str) -> str:
    """A compose value with its defaults filled in, as `docker compose up` would with none of
    the variables set (a required one stands in as "required")."""
    def replace(match):
        if match["op"] in (":-", "-"):
            return match["arg"]
        if match["op"] in (":?", "?"):
            return "required"
        return ""

    return INTERPOLATION.sub(replace, str(value))


def _environment(service: str) -> dict[str, str]:
    return {key: _resolved(value) for key, value in SERVICES[service]["environment"].items()}


def _settings_variables() -> set[str]:
    source = (BASE_DIR / "config" / "settings.py").read_text()
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']", source))


def _command(service: str) -> list[str]:
    command = SERVICES[service]["command"]
    return command.split() if isinstance(command, str) else list(command)


def _dockerfile_instructions(keyword: str) -> list[str]:
    joined = DOCKERFILE.replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in joined.splitlines()
            if line.split(None, 1)[:1] == [keyword]]


def test_every_service_of_the_system_is_defined():
    assert {"postgres", "redis", "clamav", "migrate", "web", "worker",
            "beat"} <= set(SERVICES)


def test_web_serves_the_project_wsgi_application_with_gunicorn():
    command = _command("web")
    target = next(word for word in command if re.fullmatch(r"[\w.]+:\w+", word))

    assert command[0] == "gunicorn"
    module_name, attribute = target.split(":")
    assert target == "config.wsgi:application"
    assert callable(getattr(importlib.import_module(module_name), attribute))


@pytest.mark.parametrize("service, subcommand", [("worker", "worker"), ("beat", "beat")])
def test_celery_services_run_the_project_app(service, subcommand):
    command = _command(service)

    assert command[:4] == ["celery", "-A", "config", subcommand]
    assert importlib.import_module("config").celery_app is celery_app


def test_application_services_share_one_environment():
    environments = [SERVICES[service]["environment"] for service in ("web", "worker", "beat")]

    assert all(environment == environments[0] for environment in environments)


def test_migrate_differs_only_in_connecting_as_the_owner_and_naming_the_app_role():
    migrate, web = _environment("migrate"), _environment("web")

    assert set(migrate) - set(web) == {"DATABASE_APP_ROLE"}
    assert {key for key in web if migrate[key] != web[key]} == {"DATABASE_URL"}
    assert urlsplit(migrate["DATABASE_URL"]).username == "aiss_owner"
    assert migrate["DATABASE_APP_ROLE"] == urlsplit(web["DATABASE_URL"]).username == "aiss_app"


def test_every_variable_set_for_the_application_is_read_by_the_settings():
    unknown = set(SERVICES["web"]["environment"]) - _settings_variables()

    assert not unknown, f"settings.py reads none of {sorted(unknown)}"


@pytest.mark.parametrize("service, role, password", [
    ("web", "aiss_app", "AISS_APP_PASSWORD"),
    ("migrate", "aiss_owner", "AISS_OWNER_PASSWORD"),
])
def test_database_url_points_at_the_postgres_service_and_its_credentials(service, role,
                                                                          password):
    url = urlsplit(_environment(service)["DATABASE_URL"])
    postgres = {key: _resolved(value) for key, value in SERVICES["postgres"]["environment"].items()}
    init_script = (BASE_DIR / "deploy" / "postgres" / "10-aiss-roles.sh").read_text()

    assert url.scheme == "postgres"
    assert url.hostname == "postgres"
    assert url.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert url.username == role
    assert url.password == postgres[password]
    assert f"CREATE ROLE {role} LOGIN PASSWORD" in init_script
    # Neither role is the image's superuser.
    assert role != postgres["POSTGRES_USER"]


def test_the_roles_script_is_run_when_the_database_is_initialised():
    mounts = [volume.split(":")[:2] for volume in SERVICES["postgres"]["volumes"]]

    assert ["./deploy/postgres", "/docker-entrypoint-initdb.d"] in mounts


@pytest.mark.parametrize("variable", ["CELERY_BROKER_URL", "REDIS_URL"])
def test_broker_and_cache_point_at_the_redis_service(variable):
    url = urlsplit(_environment("web")[variable])

    assert url.scheme == "redis"
    assert url.hostname == "redis"


def test_uploads_are_scanned_by_the_clamav_service():
    url = urlsplit(_environment("web")["CLAMD_URL"])
    environment = {**os.environ, **_environment("web"), "DJANGO_SETTINGS_MODULE":
                   "config.settings", "SECRET_KEY": secrets.token_urlsafe(64)}
    environment.pop("VIRUS_SCANNER", None)
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings; print(settings.VIRUS_SCANNER, settings.CLAMD_URL)"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60,
        check=False)

    assert SERVICES["clamav"]["image"].startswith("clamav/clamav:")
    assert (url.scheme, url.hostname, url.port) == ("tcp", "clamav", 3310)
    assert result.stdout.split() == ["clamd", "tcp://clamav:3310"], result.stderr


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_application_starts_without_waiting_for_clamd_signatures(service):
    # Uploads wait as "scanning" until clamd answers, so a slow first start blocks nothing.
    assert SERVICES[service]["depends_on"]["clamav"]["condition"] == "service_started"


def test_clamd_signatures_live_on_a_declared_named_volume():
    mounts = [volume.split(":")[:2] for volume in SERVICES["clamav"]["volumes"]]
    data = [source for source, target in mounts if target == "/var/lib/clamav"]

    assert data
    assert data[0] in COMPOSE["volumes"]


def test_secret_key_must_be_supplied_rather_than_defaulted():
    assert ":?" in SERVICES["web"]["environment"]["SECRET_KEY"]


@pytest.mark.parametrize("service", ["postgres", "redis", "clamav", "web", "worker"])
def test_long_running_services_have_health_checks(service):
    assert SERVICES[service]["healthcheck"]["test"]


@pytest.mark.parametrize("service", ["web", "worker", "beat"])
def test_application_waits_for_healthy_services_and_migrations(service):
    depends_on = SERVICES[service]["depends_on"]

    assert depends_on["postgres"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_migrate_service_applies_migrations_then_grants_the_app_role_once():
    assert SERVICES["migrate"]["command"] == [
        "sh", "-c", "python manage.py migrate --noinput && python manage.py db_roles"]
    assert SERVICES["migrate"]["restart"] == "no"


def test_postgres_data_lives_on_a_declared_named_volume():
    mounts = [volume.split(":")[:2] for volume in SERVICES["postgres"]["volumes"]]
    data = [source for source, target in mounts if target == "/var/lib/postgresql/data"]

    assert data
    assert data[0] in COMPOSE["volumes"]


def test_compose_environment_passes_the_deployment_checks():
    environment = {key: value for key, value in os.environ.items()
                   if key != "DEBUG"}
    environment.update(_environment("web"), SECRET_KEY=secrets.token_urlsafe(64),
                       DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_dockerfile_builds_on_python_311_slim_and_runs_unprivileged():
    assert _dockerfile_instructions("FROM") == ["python:3.11-slim"]
    users = _dockerfile_instructions("USER")
    assert users and users[-1] not in {"root", "0"}


def test_dockerfile_copies_files_that_exist_and_installs_the_pins():
    sources = [word for instruction in _dockerfile_instructions("COPY")
               for word in instruction.split()[:-1] if not word.startswith("--")]

    assert sources
    assert all((BASE_DIR / source).exists() for source in sources), sources
    assert any("pip install -r requirements.txt" in run
               for run in _dockerfile_instructions("RUN"))


def test_dockerfile_default_command_is_the_web_service_command():
    cmd = yaml.safe_load(_dockerfile_instructions("CMD")[0])

    assert cmd == _command("web")


def test_dockerignore_keeps_what_the_image_needs():
    ignored = {line.strip().rstrip("/") for line in
               (BASE_DIR / ".dockerignore").read_text().splitlines()}

    assert not ignored & {"manage.py", "config", "subsidy", "applicants", "reviews",
                          "templates", "static", "locale", "requirements.txt"}
