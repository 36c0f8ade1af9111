"""The worker keeps its database connection between tasks (CONN_MAX_AGE applies), as a web
process does between requests."""

from types import SimpleNamespace
from unittest import mock

from celery.fixups.django import DjangoWorkerFixup

from config.celery import app as celery_app
from config.celery import close_old_database_connections


def test_celery_does_not_close_the_connection_after_every_task():
    fixup = DjangoWorkerFixup(celery_app)
    assert fixup.db_reuse_max and fixup.db_reuse_max > 1
    with mock.patch.object(fixup, "_close_database") as close:
        fixup.on_task_prerun(sender=SimpleNamespace(request=SimpleNamespace(is_eager=False)))
        fixup.on_task_postrun(sender=SimpleNamespace(request=SimpleNamespace(is_eager=False)))
    close.assert_not_called()


def test_around_each_task_old_or_broken_connections_are_dropped():
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with mock.patch("django.db.close_old_connections") as close_old:
        close_old_database_connections(sender=task)
    close_old.assert_called_once_with()


def test_a_task_run_eagerly_leaves_the_callers_connection_alone():
    task = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    with mock.patch("django.db.close_old_connections") as close_old:
        close_old_database_connections(sender=task)
    close_old.assert_not_called()
