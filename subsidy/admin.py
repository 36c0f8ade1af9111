"""Where Django's admin finds the ``subsidy`` app's pages: each package registers its own."""

from subsidy.api import admin as api_admin  # noqa: F401
from subsidy.notifications import admin as notifications_admin  # noqa: F401
from subsidy.partners import admin as partners_admin  # noqa: F401
from subsidy.platform import admin as platform_admin  # noqa: F401
from subsidy.scheme import admin as scheme_admin  # noqa: F401
from subsidy.variations import admin as variations_admin  # noqa: F401
from subsidy.webhooks import admin as webhooks_admin  # noqa: F401
