"""What every finance page does around its one service call: the permission check, a
service's refusal shown as messages, and the redirect after a button."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from subsidy.platform.errors import DomainError
from subsidy.platform.permissions import can
from subsidy.platform.web.errors import add_domain_error_messages

__all__ = ["act", "cleaned", "require"]


def require(request, action, obj=None):
    if not can(request.user, action, obj):
        raise PermissionDenied


def act(request, call, *, success, target: str, next_target=None):
    """Run one service call for a POST button: on refusal, show the reason and go back to
    ``target``; on success, confirm and go on to ``next_target`` (a URL, or a function of
    the service's result)."""
    try:
        result = call()
    except DomainError as error:
        add_domain_error_messages(request, error)
        return redirect(target)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(next_target(result) if callable(next_target) else next_target or target)


def cleaned(form, name: str) -> str:
    return form.cleaned_data[name] if form.is_valid() else ""
