"""The unread count of the signed-in user's in-app inbox, for the navigation."""

from django.utils.functional import SimpleLazyObject, new_method_proxy

from subsidy.notifications.selectors import inbox_unread_count


class _LazyCount(SimpleLazyObject):
    """A number worked out the first time a template uses it."""

    __int__ = new_method_proxy(int)


def inbox_unread(request):
    """``inbox_unread_count``: counted with one query the first time a template uses it, and
    kept on the request so every later render of the same request reuses it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread_count": 0}

    def count() -> int:
        if not hasattr(request, "_inbox_unread_count"):
            request._inbox_unread_count = inbox_unread_count(user=user)
        return request._inbox_unread_count

    return {"inbox_unread_count": _LazyCount(count)}
