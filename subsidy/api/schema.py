"""OpenAPI schema generation: every operation documents its problem+json error answers."""

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from subsidy.api.errors import PROBLEM_CONTENT_TYPE


class ProblemSerializer(serializers.Serializer):
    """An RFC 9457 problem document."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="A stable machine-readable error code.")
    instance = serializers.CharField()


class ValidationProblemSerializer(ProblemSerializer):
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()),
                                   help_text="Messages per field name.")


HEADER_DESCRIPTIONS = {
    "X-Request-Id": "The request's id (the one you sent, when sane, or a new one); it is in "
                    "the server's logs beside every line the request wrote.",
    "RateLimit-Limit": "Requests allowed in the window of the limit closest to running out "
                       "(IETF draft RateLimit header fields).",
    "RateLimit-Remaining": "Requests left in that window.",
    "RateLimit-Reset": "Seconds until a request is counted off that window again.",
}


class ProblemAutoSchema(AutoSchema):
    """Declares each GET's query filters, and adds every problem answer an operation can
    give: 401, 403, 404, 405, 406, 429 and 500 everywhere (401 and 403 only where a key is
    needed), 400 on reads and writes, and 409, 413, 415 and 422 on writes, DELETE
    included, and on reads a view names in ``read_refusals``; and the headers every answer
    carries."""

    def get_override_parameters(self):
        # The query parameters an operation takes are its view's ``query_filters``
        # (``subsidy.api.query``), the same serializer that refuses any other.
        parameters = super().get_override_parameters()
        filters = getattr(self.view, "query_filters", None)
        if filters is not None and self.method == "GET":
            parameters = [filters, *parameters]
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = {"401": ProblemSerializer, "403": ProblemSerializer,
                 "404": ProblemSerializer, "405": ProblemSerializer,
                 "406": ProblemSerializer, "429": ProblemSerializer,
                 "500": ProblemSerializer}
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            # Writes check their body and their Idempotency-Key header.
            codes.update({"400": ValidationProblemSerializer, "409": ProblemSerializer,
                          "413": ProblemSerializer, "415": ProblemSerializer,
                          "422": ProblemSerializer})
        elif self.method == "GET":  # a query parameter it does not take, or a bad filter
            codes["400"] = ValidationProblemSerializer
        if self.method == "GET":
            # A read a business rule may refuse (a document not yet checked for viruses).
            codes.update(dict.fromkeys(getattr(self.view, "read_refusals", ()),
                                       ProblemSerializer))
        if not getattr(self.view, "required_scopes", None):
            for public in ("401", "403"):
                codes.pop(public)
        for code, serializer in codes.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    serializer, code, media_types=[PROBLEM_CONTENT_TYPE], direction=direction)
        for code, response in responses.items():
            if "headers" not in response:  # an answer without a body (204) has them too
                response["headers"] = self._get_response_headers_for_code(code, direction)
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = dict(super()._get_response_headers_for_code(status_code, direction) or {})
        headers["X-Request-Id"] = {"schema": {"type": "string"}, "required": True,
                                   "description": HEADER_DESCRIPTIONS["X-Request-Id"]}
        if getattr(self.view, "required_scopes", None):
            for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
                headers[name] = {"schema": {"type": "integer", "minimum": 0},
                                 "description": HEADER_DESCRIPTIONS[name]}
        if (self.method in ("POST", "PUT", "PATCH", "DELETE")
                and str(status_code).startswith("2")):
            headers["Idempotent-Replayed"] = {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "Present when this is the stored answer to an earlier "
                               "request with the same Idempotency-Key."}
        if status_code == "429":
            headers = {**(headers or {}), "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before retrying."}}
        if status_code == "401":
            headers = {**(headers or {}), "WWW-Authenticate": {
                "schema": {"type": "string"}, "description": "Bearer challenge."}}
        return headers
