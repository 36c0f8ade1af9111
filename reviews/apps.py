from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        # Some of this app's tasks are enqueued by name (subsidy.platform.queue): register
        # them in web processes too, not only where a worker discovered them.
        import reviews.tasks  # noqa: F401
        from reviews.permissions import RULES
        from subsidy.platform.permissions import register

        register(RULES)
        # The assessment's queues on the officer's dashboard (subsidy.scheme.workload).
        from reviews.selectors.workload import SOURCES
        from subsidy.scheme.workload import workload_source_register

        for order, source in enumerate(SOURCES):
            workload_source_register(code=source.__name__, order=order, source=source)
