"""Partner webhooks in tests: an endpoint, an event published through the service, a real
local receiver, and the signature check a receiver makes."""

import hashlib
import hmac
import ipaddress
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from subsidy.webhooks.models import WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks

PUBLIC_URL = "https://93.184.216.34/hooks"
EVENT = "application.submitted"


def verify_signature(*, secret: str, headers, body: bytes, tolerance: int = 300) -> bool:
    """What a receiver does (the partner guide shows the same code)."""
    fields = dict(part.split("=", 1) for part in headers["X-AISS-Signature"].split(","))
    timestamp = int(fields["t"])
    if abs(time.time() - timestamp) > tolerance or str(timestamp) != headers["X-AISS-Timestamp"]:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["v1"])


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers with the given status codes in turn."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 \
                    else receiver.statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/aiss/events"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def make_endpoint(partner, url=PUBLIC_URL, event_types=(EVENT,), **kwargs):
    return WebhookEndpoint.objects.create(partner=partner, url=url, secret="whsec_test",
                                          event_types=list(event_types), **kwargs)


def publish(partner, django_capture_on_commit_callbacks, data=None):
    with django_capture_on_commit_callbacks(execute=True):
        return webhooks.webhook_event_publish(partner=partner, event_type=EVENT,
                                              data=data or {"reference": "AISS-2026R1-00042"})


def fake_dns(monkeypatch, answers):
    """Answer for the given names; addresses written as IP literals resolve as usual."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            return real_getaddrinfo(host, port, *args, **kwargs)
        if host not in answers:
            raise socket.gaierror("unknown host")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)
