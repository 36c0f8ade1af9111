import pytest
from django.db import connection

from config.celery import app as celery_app


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)"
    )
    for item in items:
        if item.get_closest_marker("postgres") and not on_postgres:
            item.add_marker(skip_pg)


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
