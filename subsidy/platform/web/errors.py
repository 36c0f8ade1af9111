"""A service's refusal shown on the form that asked for it."""


def add_problems(form, problems) -> None:
    """Show each ``(field, message)`` next to the form's field of that name, or above the
    form when it has no such field."""
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


def add_domain_error(form, error) -> None:
    """Show a service's refusal (a ``DomainError``) on ``form``: each of its problems when
    it lists several (``ProblemsError``), else its message, next to the field it names."""
    add_problems(form, getattr(error, "problems", None) or [(error.field, error.message)])
