"""Virus scanning of uploaded files, pluggable by setting.

``VIRUS_SCANNER`` names the scanner: ``"clamd"`` sends the file to a ClamAV daemon at
``CLAMD_URL`` (``tcp://host:3310``) with its INSTREAM command; empty means none, and
uploads are kept as "not scanned". A scanner answers with a ``ScanVerdict``: clean,
infected (with the signature found), or unavailable (the daemon did not answer, or
answered with an error), which is never taken for clean.
"""

import logging
import socket
import struct
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

CLEAN = "clean"
INFECTED = "infected"
UNAVAILABLE = "unavailable"

_CHUNK_BYTES = 64 * 1024
_REPLY_MAX_BYTES = 4096


@dataclass(frozen=True)
class ScanVerdict:
    outcome: str  # CLEAN, INFECTED or UNAVAILABLE
    signature: str = ""  # what was found, when infected
    detail: str = ""  # why the scanner could not answer, when unavailable

    @property
    def clean(self) -> bool:
        return self.outcome == CLEAN

    @property
    def infected(self) -> bool:
        return self.outcome == INFECTED


class VirusScanner(Protocol):
    def scan(self, file) -> ScanVerdict:
        """Scan ``file`` (a binary file object, read from its start)."""


class ClamdScanner:
    """A client of clamd's INSTREAM command over TCP: the file is sent in chunks, each
    preceded by its length as four bytes (network order), and ended by a zero length; clamd
    answers ``stream: OK`` or ``stream: <signature> FOUND`` (``... ERROR`` otherwise)."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme != "tcp" or not parts.hostname:
            raise ImproperlyConfigured(f"CLAMD_URL must be tcp://host:port, not {url!r}.")
        self.address = (parts.hostname, parts.port or 3310)
        self.timeout = timeout

    def scan(self, file) -> ScanVerdict:
        try:
            reply = self._instream(file)
        except OSError as exc:
            logger.warning("clamd at %s:%s did not scan: %s", *self.address, exc)
            return ScanVerdict(UNAVAILABLE, detail=str(exc) or type(exc).__name__)
        if reply == "stream: OK":
            return ScanVerdict(CLEAN)
        if reply.startswith("stream: ") and reply.endswith(" FOUND"):
            return ScanVerdict(INFECTED, signature=reply[len("stream: "):-len(" FOUND")])
        logger.warning("clamd at %s:%s answered %r", *self.address, reply)
        return ScanVerdict(UNAVAILABLE, detail=reply or "no answer")

    def _instream(self, file) -> str:
        file.seek(0)
        with socket.create_connection(self.address, timeout=self.timeout) as connection:
            connection.sendall(b"zINSTREAM\0")
            while chunk := file.read(_CHUNK_BYTES):
                connection.sendall(struct.pack("!L", len(chunk)) + chunk)
            connection.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0") and len(reply) < _REPLY_MAX_BYTES:
                part = connection.recv(_REPLY_MAX_BYTES)
                if not part:
                    break
                reply += part
        file.seek(0)
        return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def virus_scanner() -> VirusScanner | None:
    """The configured scanner, or None when uploads are not scanned."""
    name = settings.VIRUS_SCANNER
    if not name:
        return None
    if name == "clamd":
        return ClamdScanner(settings.CLAMD_URL, settings.CLAMD_TIMEOUT)
    raise ImproperlyConfigured(f"VIRUS_SCANNER must be 'clamd' or empty, not {name!r}.")
