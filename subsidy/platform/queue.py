"""Handing work to Celery by the task's registered name.

A service enqueues its own package's task through this, so the service does not import the
tasks module that imports the service (tasks are thin wrappers around services). Every tasks
module is imported when the apps are ready (``SubsidyConfig.ready``), so the name resolves in
web processes as well as in workers.
"""

from celery import current_app


def task_enqueue(name: str, *args) -> None:
    """Send the task called ``name`` with ``args``; raises what the broker raises."""
    current_app.tasks[name].delay(*args)
