"""The production path: an https endpoint reached by name, with the connection pinned to the
address the guard approved and the certificate checked against that name."""

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from subsidy.webhooks import rules as webhook_rules
from subsidy.webhooks.models import WebhookDelivery, WebhookEndpoint
from subsidy.webhooks.services import delivery as webhooks
from tests.builders.webhooks import fake_dns, verify_signature

pytestmark = pytest.mark.django_db

HOST = "hooks.partner.example"


@pytest.fixture
def certificate(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def tls_receiver(certificate):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port, received
    server.shutdown()
    server.server_close()


@pytest.fixture
def trust_test_certificate(monkeypatch, certificate):
    original = ssl.create_default_context
    monkeypatch.setattr(webhooks.ssl, "create_default_context",
                        lambda: original(cafile=str(certificate[0])))


def deliver(partner, url, django_capture_on_commit_callbacks):
    endpoint = WebhookEndpoint.objects.create(partner=partner, url=url, secret="whsec_tls",
                                              event_types=["application.submitted"])
    with django_capture_on_commit_callbacks(execute=True):
        [delivery] = webhooks.webhook_event_publish(partner=partner,
                                                    event_type="application.submitted",
                                                    data={"reference": "AISS-2026R1-00007"})
    delivery.refresh_from_db()
    return endpoint, delivery


def test_https_delivery_by_name_verifies_the_certificate_and_signs(
        partner, settings, monkeypatch, tls_receiver, trust_test_certificate,
        django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on this machine
    port, received = tls_receiver
    fake_dns(monkeypatch, {HOST: ["127.0.0.1"]})

    endpoint, delivery = deliver(partner, f"https://{HOST}:{port}/events",
                                 django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.Status.DELIVERED
    [(headers, body)] = received
    assert headers["Host"] == f"{HOST}:{port}"
    assert verify_signature(secret=endpoint.secret, headers=headers, body=body)


def test_https_delivery_refuses_a_certificate_for_another_name(
        partner, settings, monkeypatch, tls_receiver, trust_test_certificate,
        django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    monkeypatch.setattr(webhook_rules, "MAX_ATTEMPTS", 1)
    port, received = tls_receiver
    fake_dns(monkeypatch, {"other.partner.example": ["127.0.0.1"]})

    _endpoint, delivery = deliver(partner, f"https://other.partner.example:{port}/events",
                                  django_capture_on_commit_callbacks)

    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error or "hostname" in \
        delivery.last_error
    assert received == []
