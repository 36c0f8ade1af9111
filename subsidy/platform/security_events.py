"""Security events in the audit trail: failed and throttled sign-ins, refused requests,
second factors added or removed, wrong second-factor codes, and uploads in which a virus
was found.

``security_event_record`` is the one service that writes them, through ``audit_record``;
the receivers below only translate a signal (Django's, axes', allauth's) or a refused
response into a call to it. Changes of API keys are audited by their own services
(``api_key.create``/``api_key.revoke``), like every other change.
"""

from django.db import models

from subsidy.platform.audit import audit_record
from subsidy.platform.models import AuditEvent, User
from subsidy.platform.security import axes_username

SIGN_IN_FAILED = "security.sign_in_failed"
SIGN_IN_THROTTLED = "security.sign_in_throttled"
REQUEST_REFUSED = "security.request_refused"
SECOND_FACTOR_ADDED = "security.second_factor_added"
SECOND_FACTOR_REMOVED = "security.second_factor_removed"
RECOVERY_CODES_RENEWED = "security.recovery_codes_renewed"
SECOND_FACTOR_FAILED = "security.second_factor_failed"
# An uploaded file in which the virus scanner found a virus (refused, or deleted once found).
UPLOAD_INFECTED = "security.upload_infected"


class _UnknownAccount:
    """The account a sign-in named that does not exist, as the audit record's object: a user
    without an id, shown by the address that was tried."""

    _meta = User._meta
    pk = ""

    def __init__(self, login: str):
        self.login = login

    def __str__(self):
        return self.login


def security_event_record(*, action: str, actor, subject: models.Model | None,
                          login: str = "", details: dict | None = None) -> AuditEvent:
    """Append a security event about ``subject`` (the account concerned, or the API key that
    was refused); for a sign-in naming no account, about the address tried (``login``)."""
    obj = subject if subject is not None else _UnknownAccount(login)
    return audit_record(actor=actor, action=action, obj=obj, after=details or {})


def _account_named(login: str | None) -> User | None:
    return User.objects.filter(email__iexact=login).first() if login else None


# --- receivers ----------------------------------------------------------------------------

def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    """``user_login_failed``: a wrong password, or one refused because axes has locked the
    account at this address."""
    login = axes_username(request, credentials) or ""
    throttled = bool(getattr(request, "axes_locked_out", False))
    security_event_record(
        action=SIGN_IN_THROTTLED if throttled else SIGN_IN_FAILED, actor=None,
        subject=_account_named(login), login=login,
        details={"login": login, "reason": "locked_out" if throttled else "wrong_credentials"})


def sign_in_rate_limited(request) -> None:
    """allauth's rate limits refused an attempt (a sign-in, a code, a password reset): its
    429 handler calls this."""
    login = (request.POST.get("login") or "").strip().lower()
    user = getattr(request, "user", None)
    signed_in = user if isinstance(user, User) and user.is_authenticated else None
    security_event_record(
        action=SIGN_IN_THROTTLED, actor=signed_in,
        subject=signed_in or _account_named(login), login=login,
        details={"login": login, "reason": "rate_limited", "path": request.path})


def request_refused(request, status: int) -> None:
    """A signed-in user or an API client was refused a page or an action. Anonymous
    refusals (a stale form's CSRF token) name nobody and are not recorded."""
    requester = getattr(request, "user", None)
    if isinstance(requester, User) and requester.is_authenticated:
        subject = requester
    elif getattr(requester, "api_key", None) is not None:
        subject = requester.api_key
    else:
        return
    security_event_record(
        action=REQUEST_REFUSED, actor=requester, subject=subject,
        details={"method": request.method, "path": request.path, "status": status})


def _on_authenticator(action: str):
    def receiver(sender, request, user, authenticator, **kwargs) -> None:
        security_event_record(action=action, actor=getattr(request, "user", None) or user,
                              subject=user, details={"type": authenticator.type})
    return receiver


def on_second_factor_failed(sender, request, user, authenticator, reauthentication=False,
                            **kwargs) -> None:
    """allauth's ``authentication_failed``: a wrong code at the second-factor step of a
    sign-in (the session is not signed in yet: no actor) or of a confirmation asked of a
    signed-in user."""
    requester = getattr(request, "user", None)
    signed_in = requester if isinstance(requester, User) and requester.is_authenticated else None
    security_event_record(
        action=SECOND_FACTOR_FAILED, actor=signed_in, subject=user,
        details={"type": authenticator.type, "reauthentication": bool(reauthentication),
                 "path": request.path if request is not None else ""})


on_second_factor_added = _on_authenticator(SECOND_FACTOR_ADDED)
on_second_factor_removed = _on_authenticator(SECOND_FACTOR_REMOVED)
on_recovery_codes_renewed = _on_authenticator(RECOVERY_CODES_RENEWED)


def connect() -> None:
    """Called once from ``AppConfig.ready``."""
    from allauth.mfa import signals as mfa_signals
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.connect(on_sign_in_failed, dispatch_uid="security_sign_in_failed")
    mfa_signals.authenticator_added.connect(on_second_factor_added,
                                            dispatch_uid="security_second_factor_added")
    mfa_signals.authenticator_removed.connect(on_second_factor_removed,
                                              dispatch_uid="security_second_factor_removed")
    mfa_signals.authenticator_reset.connect(on_recovery_codes_renewed,
                                            dispatch_uid="security_recovery_codes_renewed")
    mfa_signals.authentication_failed.connect(on_second_factor_failed,
                                              dispatch_uid="security_second_factor_failed")
