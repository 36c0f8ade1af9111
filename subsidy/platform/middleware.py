"""Request-wide concerns: the size of a request's body, the user's language, the audit
context, and the second factor."""

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from subsidy.platform.audit import current_ip
from subsidy.platform.second_factor import (
    second_factor_passed,
    second_factor_pending,
    second_factor_step_url,
)
from subsidy.platform.security import client_ip
from subsidy.platform.security_events import request_refused


class RequestSizeLimitMiddleware:
    """A body declared larger than ``REQUEST_MAX_BYTES`` is answered 413 before a byte of it
    is read, so a 300 MB upload is never spooled to disk to be refused afterwards. A body
    without Content-Length is not read by Django at all. Placed before anything that reads
    ``request.POST`` (CSRF, sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.REQUEST_MAX_BYTES:
            limit = f"{settings.REQUEST_MAX_BYTES / (1024 * 1024):.0f} MB"
            # Both languages: the user's is not known before the session is read.
            return HttpResponse(
                f"The request is too large: at most {limit} can be sent at once.\n"
                f"請求過大：每次最多只可傳送 {limit}。\n",
                status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


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


class RefusedRequestMiddleware:
    """Every refused request (403: a permission, a role, a CSRF check) of a signed-in user or
    an API client goes to the audit trail, however the view refused it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            request_refused(request, response.status_code)
        return response


class SecondFactorMiddleware:
    """A session whose account has a second factor reaches no page before it has passed it
    (allauth's sign-in asks for it; a session opened any other way is sent to allauth's
    second-factor step, and comes back to the page it asked for). When ``STAFF_REQUIRE_2FA``
    is on, staff roles and admin users without a second factor must set up TOTP before any
    other page; the set-up, sign-out and language pages stay reachable."""

    allowed_prefixes = ("/accounts/", "/i18n/", "/static/", "/favicon")
    pending_prefixes = ("/i18n/", "/static/", "/favicon")
    pending_url_names = ("mfa_reauthenticate", "mfa_reauthenticate_webauthn", "account_logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if second_factor_pending(request):
            if not (request.path.startswith(self.pending_prefixes)
                    or request.path in {reverse(name) for name in self.pending_url_names}):
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{second_factor_step_url(user)}?{query}")
        elif (
            settings.STAFF_REQUIRE_2FA
            and (user.is_staff_role or user.is_staff)
            and not request.path.startswith(self.allowed_prefixes)
            and not second_factor_passed(request)
            and not is_mfa_enabled(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
