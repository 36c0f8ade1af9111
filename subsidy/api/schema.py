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


class ProblemAutoSchema(AutoSchema):
    """Adds 401, 403, 404, 429 (and 400, 409, 422 on writes, DELETE included) problem
    responses."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = {"401": ProblemSerializer, "403": ProblemSerializer,
                 "404": ProblemSerializer, "429": ProblemSerializer}
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            # Writes check their body and their Idempotency-Key header.
            codes.update({"400": ValidationProblemSerializer, "409": ProblemSerializer,
                          "422": ProblemSerializer})
        elif "{" not in self.path and self.method == "GET":
            codes["400"] = ValidationProblemSerializer
        if not getattr(self.view, "required_scopes", None):
            for public in ("401", "403"):
                codes.pop(public)
        for code, serializer in codes.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    serializer, code, media_types=[PROBLEM_CONTENT_TYPE], direction=direction)
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "429":
            headers = {**(headers or {}), "Retry-After": {
                "schema": {"type": "integer"},
                "description": "Seconds to wait before retrying."}}
        if status_code == "401":
            headers = {**(headers or {}), "WWW-Authenticate": {
                "schema": {"type": "string"}, "description": "Bearer challenge."}}
        return headers
