"""The Celery application: tasks are discovered in every installed app.

Its settings are the ``CELERY_*`` names of ``config.settings``: JSON only, time limits, late
acknowledgement with redelivery when a worker dies, eager execution when no broker is set.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aiss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _subsidy_task_packages():
    """The subsidy app keeps its tasks in its packages, not in ``subsidy.tasks``."""
    from subsidy.apps import TASK_PACKAGES

    return TASK_PACKAGES


app.autodiscover_tasks(_subsidy_task_packages)


@task_prerun.connect
@task_postrun.connect
def close_old_database_connections(sender=None, **kwargs) -> None:
    """Around each task, what Django does around each request: drop a connection that is
    broken or older than CONN_MAX_AGE, keep a healthy one (``CELERY_DB_REUSE_MAX`` stops
    Celery from closing it after every task). Tasks run eagerly in the caller's process
    leave the caller's connection alone."""
    if sender is None or getattr(sender.request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()
