from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Applicants")

    def ready(self) -> None:
        # Some of this app's tasks are enqueued by name (subsidy.platform.queue): register
        # them in web processes too, not only where a worker discovered them.
        import applicants.tasks  # noqa: F401

        # The workflow's system check (applicants.E101) is registered on import: import it
        # here so ``manage.py check`` runs it even where nothing else imported it yet.
        import applicants.workflow  # noqa: F401
        from applicants.permissions import RULES
        from subsidy.platform.permissions import register

        register(RULES)
