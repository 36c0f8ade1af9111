"""``Idempotency-Key`` support for API write views (see ``subsidy.api.services.idempotency``)."""

import hashlib
import json

from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from subsidy.api.errors import PROBLEM_CONTENT_TYPE
from subsidy.api.services.idempotency import (
    Replay,
    idempotency_begin,
    idempotency_complete,
    idempotency_release,
)

IDEMPOTENT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REPLAY_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name="Idempotency-Key", type={"type": "string", "minLength": 1, "maxLength": 255},
    location=OpenApiParameter.HEADER, required=False,
    description=("Any unique string (e.g. a UUID), kept 24 hours: a retry with the same key "
                 "and body replays the first response; a different body gets 422; a retry "
                 "while the first request is still running gets 409."),
)


def _request_content(request) -> bytes:
    """The bytes that identify the request. Uploads are not read into memory as raw bytes:
    a multipart request is identified by its fields and the SHA-256 of each file."""
    if not request.content_type.startswith("multipart/"):
        return request.body
    parts = {name: request.data.getlist(name) for name in request.data
             if name not in request.FILES}
    for name in request.FILES:
        digests = []
        for upload in request.FILES.getlist(name):
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
            digests.append(digest.hexdigest())
        parts[name] = digests
    return json.dumps(parts, sort_keys=True).encode()


class _ReplayFirstResponse(Exception):  # noqa: N818 - a control-flow signal, not an error
    def __init__(self, replay: Replay):
        super().__init__("replay")
        self.replay = replay


class IdempotentWritesMixin:
    """Mix into an ``APIView`` before it: writes that carry an ``Idempotency-Key`` header are
    claimed once authentication, scopes and throttling have passed, and their response is
    stored for replay when it is sent."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self._idempotency_record = None
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method not in IDEMPOTENT_METHODS:
            return
        outcome = idempotency_begin(api_key=request.auth, key=key, method=request.method,
                                    path=request.path, body=_request_content(request))
        if isinstance(outcome, Replay):
            raise _ReplayFirstResponse(outcome)
        self._idempotency_record = outcome

    def handle_exception(self, exc):
        if isinstance(exc, _ReplayFirstResponse):
            status = exc.replay.status
            return Response(exc.replay.body, status=status, headers={REPLAY_HEADER: "true"},
                            content_type=PROBLEM_CONTENT_TYPE if status >= 400 else None)
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record = getattr(self, "_idempotency_record", None)
        if record is not None:
            self._idempotency_record = None
            if isinstance(response, Response):
                body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                idempotency_complete(record=record, status=response.status_code, body=body)
            else:
                idempotency_release(record=record)
        return response
