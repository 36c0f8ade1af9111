"""The second factor: whether this session passed it, and the step-up that sensitive
changes ask for.

allauth's sign-in asks an enrolled user for their second factor before it signs them in,
and records each step in the session (``get_authentication_records``). Whether the account
has a second factor is read once, when the session signs in, and kept in the session: a page
then costs no query, and a session opened any other way (``login()`` without allauth's
stages) has no "mfa" record, so it is sent to the second-factor step before anything else.
"""

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.reauthentication import (
    did_recently_reauthenticate,
    suspend_request,
)
from allauth.core.exceptions import ImmediateHttpResponse, ReauthenticationRequired
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.urls import reverse

# Whether the signed-in account had a second factor when this session signed in.
ENROLLED_SESSION_KEY = "second_factor_enrolled"


def second_factor_note_sign_in(sender, request, user, **kwargs) -> None:
    """Receives ``user_logged_in``, whichever way the session signed in."""
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_SESSION_KEY] = is_mfa_enabled(user)


def second_factor_step_url(user) -> str:
    """allauth's page where a signed-in session confirms its second factor: a code (from the
    app, or a recovery code), or a security key for an account that has only keys."""
    if is_mfa_enabled(user, types=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]):
        return reverse("mfa_reauthenticate")
    return reverse("mfa_reauthenticate_webauthn")


def second_factor_passed(request) -> bool:
    """Whether this session proved the second factor (at sign-in or since)."""
    return any(record.get("method") == "mfa"
               for record in get_authentication_records(request, request.user))


def second_factor_pending(request) -> bool:
    """Whether the signed-in account has a second factor this session has not passed."""
    enrolled = request.session.get(ENROLLED_SESSION_KEY)
    if enrolled is None:  # a session signed in before this rule: read it once
        enrolled = request.session[ENROLLED_SESSION_KEY] = is_mfa_enabled(request.user)
    return enrolled and not second_factor_passed(request)


def _recently(request, method: str) -> bool:
    """Whether this session confirmed ``method`` again within allauth's reauthentication
    timeout (``ACCOUNT_REAUTHENTICATION_TIMEOUT``)."""
    cutoff = time.time() - account_settings.REAUTHENTICATION_TIMEOUT
    return any(record.get("method") == method and record.get("reauthenticated")
               and record.get("at", 0) >= cutoff
               for record in get_authentication_records(request, request.user))


def step_up_require(request) -> None:
    """A sensitive change (bank details, members and roles, API keys) needs a fresh password
    and, where the account has one, a fresh second factor: each confirmed on allauth's own
    page within ``ACCOUNT_REAUTHENTICATION_TIMEOUT``. Call it once the request is known to be
    allowed, before the change.

    Raises allauth's ``ReauthenticationRequired`` (its middleware asks for the password) or
    an ``ImmediateHttpResponse`` to its second-factor page; either way the request, a POST
    included, resumes once confirmed."""
    user = request.user
    fresh = (_recently(request, "password") if user.has_usable_password()
             else did_recently_reauthenticate(request))
    if not fresh:
        raise ReauthenticationRequired()
    if is_mfa_enabled(user) and not _recently(request, "mfa"):
        raise ImmediateHttpResponse(suspend_request(request, second_factor_step_url(user)))


def step_up_required(view_func):
    """``step_up_require`` before a view that changes something (GET passes)."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET":
            step_up_require(request)
        return view_func(request, *args, **kwargs)

    return wrapper
