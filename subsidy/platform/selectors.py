"""Reads of the platform's data: who holds which role."""

from django.db.models import QuerySet

from subsidy.platform.models import User, UserRole


def users_with_role(*roles: str, active: bool = True) -> QuerySet[User]:
    """The users holding any of ``roles``, each once; only active accounts unless
    ``active=False`` (an administrator's choice lists, which name former staff too)."""
    users = User.objects.filter(pk__in=UserRole.objects.filter(role__in=roles)
                                .values("user_id"))
    return users.filter(is_active=True) if active else users
