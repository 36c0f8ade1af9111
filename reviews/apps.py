from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Assessment")

    def ready(self) -> None:
        from reviews.permissions import RULES
        from subsidy.platform.permissions import register

        register(RULES)
