"""allauth glue: account emails go through the notification outbox, never inline."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language

from subsidy.notifications.services.outbox import notify
from subsidy.platform.security import client_ip

# allauth's email templates that have a notification event of their own.
ACCOUNT_EVENTS = {
    "account/email/email_confirmation_signup": "account_verification",
    "account/email/email_confirmation": "account_verification",
    "account/email/password_reset_key": "password_reset",
}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        # allauth's rate limits key on the same client address as axes and the audit.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request, **credentials) -> None:
        # Wrong passwords are counted by django-axes, per account and address together
        # (AXES_LOCKOUT_PARAMETERS), so nobody can lock someone else out from their own
        # address. allauth's "login_failed" limit is left to the second-factor step, where
        # it counts wrong codes per account.
        return None

    def save_user(self, request, user, form, commit=True):
        # New accounts keep the language the person signed up in unless they chose another.
        if not user.language:
            user.language = get_language() or "en"
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        from subsidy.platform.models import User

        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        event = ACCOUNT_EVENTS.get(template_prefix, "account_message")
        payload = {
            key: _plain(value)
            for key, value in context.items()
            if key not in {"user", "request", "current_site", "email_address", "form"}
        }
        payload.update({"template_prefix": template_prefix, "email": email,
                        "site_name": "Cyberport AISS",
                        "current_site": {"name": "Cyberport AISS", "domain": ""}})
        language = user.language if user else (get_language() or "en")
        notify(recipient=user, to_email=email, event=event, context=payload,
               language=language)
