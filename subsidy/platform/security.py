"""Login throttling glue for django-axes."""


def axes_username(request, credentials) -> str | None:
    """The email tried, whether it came through allauth's form ("login") or Django's
    ``authenticate(email=...)``, lower-cased so case variations share one counter."""
    value = None
    if credentials:
        value = credentials.get("email") or credentials.get("username") or credentials.get(
            "login"
        )
    if not value and request is not None:
        value = request.POST.get("login") or request.POST.get("username")
    return value.strip().lower() if value else None
