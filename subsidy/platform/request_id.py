"""A request id for every answer (``X-Request-Id``) and every log line written while the
request runs, so a client's report and the server's logs meet.

A sane id sent by the client (or a proxy in front) is kept, so one id follows a request
through every hop; otherwise one is generated."""

import logging
import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-Id"
# Letters, digits and a few separators, up to 128 characters: nothing that could forge a
# log line or a header.
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="-")


def request_id_for(incoming: str | None) -> str:
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: the id is known to everything after it and set on every
    response, error pages included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get(REQUEST_ID_HEADER))
        # Not reset on the way out: Django logs the answer ("Not Found: ...") after the
        # middleware returned it; the next request on this thread sets its own id.
        current_request_id.set(request.request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record):
        record.request_id = current_request_id.get()
        return True
