"""Cursor pagination for every API list, over an ordering that ends with a unique column so
pages never skip or repeat rows when new ones arrive."""

from rest_framework.pagination import CursorPagination


class StableCursorPagination(CursorPagination):
    """Views name their order in ``cursor_ordering`` (the last field must be unique)."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
