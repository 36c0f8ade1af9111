"""Cursor pagination for every API list, over an ordering that ends with a unique column so
pages never skip or repeat rows when new ones arrive."""

from urllib.parse import parse_qs, urlsplit

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response


class StableCursorPagination(CursorPagination):
    """Views name their order in ``cursor_ordering`` (the last field must be unique).

    A page carries ``next`` (the next page's URL), ``next_cursor`` (its ``cursor`` value,
    for clients that build their own URLs) and ``has_more``. A ``page_size`` that is not a
    whole number from 1 to ``max_page_size`` is refused (400), not replaced by the
    default."""

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "cursor_ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise exceptions.ValidationError({self.page_size_query_param: [
                _("Send a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]})
        return int(raw)

    def get_next_cursor(self) -> str | None:
        link = self.get_next_link()
        if link is None:
            return None
        return parse_qs(urlsplit(link).query).get(self.cursor_query_param, [None])[0]

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(),
                         "next_cursor": self.get_next_cursor(), "has_more": self.has_next,
                         "results": data})

    def get_paginated_response_schema(self, schema):
        base = super().get_paginated_response_schema(schema)
        base["required"] = ["next", "previous", "next_cursor", "has_more", "results"]
        base["properties"] = {
            "next": base["properties"]["next"],
            "previous": base["properties"]["previous"],
            "next_cursor": {"type": "string", "nullable": True, "description": (
                "The next page's cursor (send it as ?cursor=); null on the last page.")},
            "has_more": {"type": "boolean", "description": "Whether another page follows."},
            "results": schema,
        }
        return base

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1,
                                       "maximum": self.max_page_size,
                                       "default": self.page_size}
        return parameters
