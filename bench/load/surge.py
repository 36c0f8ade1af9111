"""Locust users for scenario 4, the deadline surge (``bench.scenarios.s4_deadline_surge``).

``PortalUser`` is a partner portal sending its companies' applications at the deadline:
for one company after another it starts a draft, fills every part in one PATCH, uploads
the round's required documents and submits, each write with an ``Idempotency-Key`` as the
partner API guide asks. ``RoundReader`` reads one round again and again: the trivial
authenticated request the surge's throughput is compared with.

Configured by environment variables: ``SURGE_KEY`` (the partner's API key), ``SURGE_ROUND``
(the round's code), ``SURGE_COMPANIES`` (a JSON file: the company ids and their document
files). The run ends when every company's application was sent, or at ``--run-time``.
"""

import json
import os
import uuid

import gevent
from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser
from locust.exception import StopUser

KEY = os.environ.get("SURGE_KEY", "")
ROUND = os.environ.get("SURGE_ROUND", "")
COMPANIES_FILE = os.environ.get("SURGE_COMPANIES", "")

if COMPANIES_FILE:
    with open(COMPANIES_FILE) as source:
        PLAN = json.load(source)
else:
    PLAN = {"companies": [], "documents": {}}
# One gevent process: a plain iterator hands each company to exactly one user.
COMPANIES = iter(PLAN["companies"])
FINISHED = {"count": 0}


def multipart(fields: dict[str, str], file_field: str, filename: str,
              content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                 f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class PortalUser(FastHttpUser):
    wait_time = constant(0)
    connection_timeout = 120.0
    network_timeout = 120.0

    def _headers(self, **extra) -> dict:
        return {"Authorization": f"Bearer {KEY}", "Idempotency-Key": uuid.uuid4().hex,
                **extra}

    def _finished(self) -> None:
        FINISHED["count"] += 1
        if FINISHED["count"] == len(PLAN["companies"]):
            gevent.spawn(self.environment.runner.quit)

    @task
    def send_application(self):
        company = next(COMPANIES, None)
        if company is None:
            raise StopUser()
        try:
            self._send(company)
        finally:
            self._finished()

    def _send(self, company: dict) -> None:
        created = self.client.post("/api/v1/applications/", name="1 create draft",
                                   json={"organisation": company["id"], "round": ROUND},
                                   headers=self._headers())
        if created.status_code != 201:
            return
        draft = created.json()
        path = f"/api/v1/applications/{draft['id']}/"
        filled = self.client.patch(path, name="2 fill every part",
                                   json={"version": draft["version"], **company["body"]},
                                   headers=self._headers())
        if filled.status_code != 200:
            return
        for document_type in PLAN["required_documents"]:
            body, content_type = multipart({"document_type": document_type}, "file",
                                           f"{document_type}.pdf",
                                           PLAN["documents"][document_type].encode("latin-1"))
            uploaded = self.client.post(f"{path}documents/", name="3 upload document",
                                        data=body,
                                        headers=self._headers(**{"Content-Type": content_type}))
            if uploaded.status_code != 201:
                return
        self.client.post(f"{path}submit/", name="4 submit", headers=self._headers())


class RoundReader(FastHttpUser):
    wait_time = constant(0)
    connection_timeout = 120.0
    network_timeout = 120.0

    @task
    def read_round(self):
        self.client.get(f"/api/v1/rounds/{ROUND}/", name="read round",
                        headers={"Authorization": f"Bearer {KEY}"})
