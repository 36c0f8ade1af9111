"""Request-wide concerns: the user's language, the audit context, and required 2FA."""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from subsidy.platform.audit import current_ip


def client_ip(request) -> str | None:
    # Behind the production proxy the first X-Forwarded-For hop is the client.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded and settings.SECURE_PROXY_SSL_HEADER:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR")


class UserLanguageMiddleware:
    """A signed-in user sees pages in their preferred language unless the URL's language
    switcher has just set another one for this session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user is not None and user.is_authenticated and not chosen:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            current_ip.reset(token)


class StaffTwoFactorMiddleware:
    """When ``STAFF_REQUIRE_2FA`` is on, a signed-in user with a staff role must set up TOTP
    before any other page; the set-up, sign-out and language pages stay reachable."""

    allowed_prefixes = ("/accounts/", "/i18n/", "/static/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.STAFF_REQUIRE_2FA
            and request.user.is_authenticated
            and request.user.is_staff_role
            and not request.path.startswith(self.allowed_prefixes)
        ):
            from allauth.mfa.models import Authenticator

            has_totp = Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
            if not has_totp:
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
