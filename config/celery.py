"""The Celery application: tasks are discovered in every installed app.

Its settings are the ``CELERY_*`` names of ``config.settings``: JSON only, time limits, late
acknowledgement with redelivery when a worker dies, eager execution when no broker is set.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("aiss")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
