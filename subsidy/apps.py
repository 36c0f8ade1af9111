from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Packages of this app whose ``tasks`` module registers Celery tasks.
TASK_PACKAGES = ("subsidy.api", "subsidy.notifications", "subsidy.scheme", "subsidy.webhooks")


class SubsidyConfig(AppConfig):
    name = "subsidy"
    verbose_name = _("Scheme, rounds and funding")

    def ready(self) -> None:
        # Services enqueue by task name (subsidy.platform.queue): every task is registered
        # in web processes too, not only where the worker discovered it.
        for package in TASK_PACKAGES:
            import_module(f"{package}.tasks")
