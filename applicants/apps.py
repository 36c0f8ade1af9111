from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicantsConfig(AppConfig):
    name = "applicants"
    verbose_name = _("Applicants")

    def ready(self) -> None:
        from applicants.permissions import RULES
        from subsidy.platform.permissions import register

        register(RULES)
