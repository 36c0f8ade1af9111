"""Signed messages between the scheme and another system: ``X-AISS-Signature:
t=<timestamp>,v1=<hex>``, the HMAC-SHA256 of ``"<timestamp>.<body>"`` keyed with a secret
both sides hold. The scheme signs its webhook deliveries this way, and the AI
Supercomputing Centre signs its API requests the same way (docs/partner-api.md, section 12;
docs/compute.md)."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-AISS-Signature"
TIMESTAMP_HEADER = "X-AISS-Timestamp"
# A signature older (or further ahead) than this is refused: a captured request cannot be
# replayed later, and the clocks of both sides may differ a little.
TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-AISS-Signature`` value: ``t=<timestamp>,v1=<hex HMAC-SHA256>`` over
    ``"<timestamp>.<body>"``."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_problem(*, secret: str, header: str | None, body: bytes,
                      now: float | None = None) -> str | None:
    """Why ``header`` is not a good signature of ``body`` with ``secret`` (``missing``,
    ``malformed``, ``stale``, ``mismatch``), or ``None`` when it is. Compared in constant
    time; the timestamp must be within ``TOLERANCE_SECONDS`` of now."""
    if not header:
        return "missing"
    try:
        fields = dict(part.strip().split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (KeyError, ValueError):
        return "malformed"
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        return "stale"
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    if not hmac.compare_digest(expected.encode(), f"t={timestamp},v1={given}".encode()):
        return "mismatch"
    return None
