"""Every API error as an RFC 9457 ``application/problem+json`` document.

The body always has ``type``, ``title``, ``status``, ``detail``, ``code`` and ``instance``;
a 400 adds ``errors`` (field name -> list of messages). Nothing under ``/api/`` answers with
an HTML page or a traceback: unknown paths and unexpected exceptions get a problem too.
"""

import logging
import math
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from subsidy.api.services.idempotency import IdempotencyConflict, IdempotencyMismatch
from subsidy.platform.errors import DomainError, PermissionDeniedError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(*, status: int, detail: str, code: str, instance: str = "",
            errors: dict | None = None) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
        "code": code,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _field_errors(detail) -> dict:
    """DRF's nested error detail as ``{field: [message, ...]}``; errors that concern no
    field are listed under ``non_field_errors``."""
    if isinstance(detail, dict):
        result = {}
        for name, value in detail.items():
            if isinstance(value, dict):
                for sub_name, messages in _field_errors(value).items():
                    result[f"{name}.{sub_name}"] = messages
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub_name, messages in _field_errors(item).items():
                        result[f"{name}.{index}.{sub_name}"] = messages
            else:
                result[str(name)] = [str(m) for m in (value if isinstance(value, list)
                                                      else [value])]
        return result
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list)
                                                  else [detail])]}


def _from_request_error(exc: Exception) -> exceptions.APIException | None:
    """Django's refusals of a malformed or oversized request, raised while the body is
    read: too large (``DATA_UPLOAD_MAX_MEMORY_SIZE``) or too many fields or files is 413;
    any other suspicious or undecodable request is 400."""
    if isinstance(exc, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        error = exceptions.APIException(
            _("The request is too large: send at most %(size)s bytes of data and "
              "%(fields)s fields.") % {"size": settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
                                       "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
            code="request_too_large")
        error.status_code = 413
        return error
    if isinstance(exc, SuspiciousOperation | UnicodeError | MultiPartParserError):
        return exceptions.ParseError(_("The request could not be read."), code="parse_error")
    return None


def _from_domain_error(exc: DomainError) -> exceptions.APIException:
    if isinstance(exc, IdempotencyConflict):
        error = exceptions.APIException(exc.message, code=exc.code)
        error.status_code = 409
        return error
    if isinstance(exc, IdempotencyMismatch):
        error = exceptions.APIException(exc.message, code=exc.code)
        error.status_code = 422
        return error
    if isinstance(exc, PermissionDeniedError):
        return exceptions.PermissionDenied(exc.message, code=exc.code)
    if exc.field:
        return exceptions.ValidationError({exc.field: [exc.message]}, code=exc.code)
    # A business rule refused a well-formed request.
    error = exceptions.APIException(exc.message, code=exc.code)
    error.status_code = 422
    return error


def problem_exception_handler(exc, context):
    """REST framework's ``EXCEPTION_HANDLER``: translate any exception into a problem."""
    request = context.get("request")
    instance = request.path if request is not None else ""
    if isinstance(exc, DomainError):
        exc = _from_domain_error(exc)
    elif (request_error := _from_request_error(exc)) is not None:
        exc = request_error
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors":
                                                                 exc.messages})
    elif isinstance(exc, Http404):
        # Never say which kind of object was looked for.
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        logger.error("Unhandled API error on %s", instance, exc_info=exc)
        set_rollback()
        body = problem(status=500, detail=_("Something went wrong on our side."),
                       code="server_error", instance=instance)
        return Response(body, status=500, content_type=PROBLEM_CONTENT_TYPE)

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
    status = exc.status_code
    if status == 400:
        errors = _field_errors(exc.detail)
        detail = (_("The request is not valid.") if isinstance(exc, exceptions.ValidationError)
                  else str(exc.detail))
        code = "invalid" if isinstance(exc, exceptions.ValidationError) else exc.default_code
        body = problem(status=400, detail=detail, code=code, instance=instance, errors=errors)
    else:
        codes = exc.get_codes()
        body = problem(status=status, detail=str(exc.detail),
                       code=codes if isinstance(codes, str) else exc.default_code,
                       instance=instance)
    set_rollback()
    return Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


class ApiNotFound(APIView):
    """Any path under ``/api/`` that names no endpoint, whatever the method."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    throttle_classes = ()

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.NotFound(self._detail(request.path))

    def options(self, request, *args, **kwargs):
        raise exceptions.NotFound(self._detail(request.path))

    @staticmethod
    def _detail(path: str) -> str:
        # API paths end with a slash; say so rather than redirect, which would drop a body.
        if not path.endswith("/"):
            try:
                match = resolve(f"{path}/")
            except Resolver404:
                match = None
            if match is not None and match.view_name != "api:not-found":
                return _("There is no API endpoint at this address; did you mean %(path)s?") % {
                    "path": f"{path}/"}
        return _("There is no API endpoint at this address.")


def server_error(request, *args, **kwargs):
    """``handler500``: a problem document under ``/api/``, the site's error page elsewhere."""
    if request.path.startswith("/api/"):
        body = problem(status=500, detail=_("Something went wrong on our side."),
                       code="server_error", instance=request.path)
        return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
    return defaults.server_error(request, *args, **kwargs)
