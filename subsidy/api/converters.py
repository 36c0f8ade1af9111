"""Path converters of the API. A path segment that cannot name anything (a NUL byte, which
PostgreSQL refuses in any text) matches no route, so it answers the API's 404 problem
instead of reaching a query."""

from django.urls import register_converter


class IdentifierConverter:
    """Like ``str`` (one path segment), without NUL or other control characters."""

    regex = r"[^/\x00-\x1f\x7f]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdentifierConverter, "ident")
