"""Start-up checks of the deployment's environment."""

import os

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from subsidy.platform.virus_scan import virus_scanner

# Environment variables that earlier releases read and that are now rules of the scheme, fixed
# in the package that owns them: a deployment still setting one would expect it to apply.
RETIRED_VARIABLES = {
    "OFFER_VALIDITY_DAYS": "subsidy/scheme/rules.py",
    "APPLICATION_DOCUMENT_MAX_BYTES": "applicants/rules.py",
    "APPLICATION_DOCUMENTS_TOTAL_MAX_BYTES": "applicants/rules.py",
    "WEBHOOK_TIMEOUT_SECONDS": "subsidy/webhooks/rules.py",
    "WEBHOOK_MAX_ATTEMPTS": "subsidy/webhooks/rules.py",
    "WEBHOOK_RETRY_BASE_SECONDS": "subsidy/webhooks/rules.py",
    "WEBHOOK_RETRY_MAX_SECONDS": "subsidy/webhooks/rules.py",
}


@register()
def retired_variables(app_configs=None, **kwargs):
    return [
        Warning(f"{name} is set but no longer read: the rule is fixed in {where}.",
                hint=f"Remove {name} from the environment, or change {where} and release it.",
                id="subsidy.W001")
        for name, where in RETIRED_VARIABLES.items() if name in os.environ
    ]


@register()
def notification_lease_outlasts_a_send(app_configs=None, **kwargs):
    """A delivery's claim must outlast the longest send (connecting, then sending, each up to
    ``EMAIL_TIMEOUT``): otherwise a second worker could take the message while the first is
    still sending it."""
    timeout = settings.EMAIL_TIMEOUT
    if timeout is not None and settings.NOTIFICATION_LEASE_SECONDS > 2 * timeout:
        return []
    return [Error(
        f"NOTIFICATION_LEASE_SECONDS ({settings.NOTIFICATION_LEASE_SECONDS}) must be more than "
        f"twice EMAIL_TIMEOUT ({timeout}).",
        hint="Raise NOTIFICATION_LEASE_SECONDS or lower EMAIL_TIMEOUT.", id="subsidy.E102")]


@register()
def virus_scanner_configured(app_configs=None, **kwargs):
    """A scanner named but not reachable by configuration would leave every upload waiting."""
    try:
        virus_scanner()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint="Set VIRUS_SCANNER=clamd with CLAMD_URL=tcp://host:3310, "
                      "or leave both empty.", id="subsidy.E103")]
    return []
