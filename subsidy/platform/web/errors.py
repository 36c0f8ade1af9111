"""A service's refusal shown on the form that asked for it, or as messages on the page; and
the page of a sign-in refused by a rate limit."""

from allauth.core.internal.ratelimit import handler429
from django.contrib import messages

from subsidy.platform.security_events import sign_in_rate_limited


def rate_limited(request):
    """allauth's "too many requests" page (``handler429`` in the root URLconf), after the
    refusal is written to the audit trail."""
    sign_in_rate_limited(request)
    return handler429(request)


def domain_error_problems(error) -> list:
    """Each ``(field, message)`` a service's refusal (a ``DomainError``) names: all of its
    problems when it lists several (``ProblemsError``), else its one message."""
    return list(getattr(error, "problems", None) or [(error.field, error.message)])


def add_problems(form, problems) -> None:
    """Show each ``(field, message)`` next to the form's field of that name, or above the
    form when it has no such field."""
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


def add_domain_error(form, error) -> None:
    """Show a service's refusal (a ``DomainError``) on ``form``, each problem next to the
    field it names."""
    add_problems(form, domain_error_problems(error))


def add_domain_error_messages(request, error) -> None:
    """Show a service's refusal as error messages, one per problem, for a page whose button
    has no form to show it on."""
    for _field, message in domain_error_problems(error):
        messages.error(request, message)
