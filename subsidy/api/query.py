"""Query parameters of API operations: only the ones an operation declares.

A query parameter the operation does not take is refused with 400 (its name in
``errors``), like an unknown field in a body: a misspelt filter (``?stauts=open``) would
otherwise answer the whole unfiltered list as if it had been applied. What an operation
takes is its ``query_filters`` serializer (also what the schema declares) and, on a
paginated list, ``cursor`` and ``page_size``.
"""

from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework import exceptions, mixins, serializers


class DeclaredQueryParameters:
    """For every API view: ``query_filters`` names the serializer of the operation's
    filters (``None``: it takes none); ``self.query`` is their validated values. Writes
    take no query parameters: their input is the body."""

    query_filters: type[serializers.Serializer] | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and scopes answer first
        self.query  # noqa: B018 - refuses what the operation does not take, before it runs

    @cached_property
    def query(self) -> dict:
        request = self.request
        reading = request.method in ("GET", "HEAD")
        names = set()
        if reading and self.query_filters is not None:
            names |= set(self.query_filters().fields)
        paginator = getattr(self, "paginator", None)
        if reading and paginator is not None and isinstance(self, mixins.ListModelMixin):
            names |= {paginator.cursor_query_param, paginator.page_size_query_param}
        errors = {name: [_("This field is not part of the request; check its name.")]
                  for name in sorted(set(request.query_params) - names)}
        values = {}
        if reading and self.query_filters is not None:
            filters = self.query_filters(data=request.query_params)
            if filters.is_valid():
                values = filters.validated_data
            else:
                errors = {**filters.errors, **errors}
        if errors:
            raise exceptions.ValidationError(errors)
        return values
