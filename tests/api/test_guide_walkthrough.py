"""The guide's walk-through (docs/partner-api.md, section 13) run as written: every `curl`
of its steps 2 to 9 is parsed from the guide and sent to the API, with the identifiers each
answer gives put into the next commands, as a developer following the guide does. Where the
guide waits for a person (the owner the partner named confirms the company), that person
confirms it by the link emailed to them."""

import json
import re
import shlex
import socket
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from subsidy.scheme.models import DocumentType
from tests.builders.applicants import pdf_bytes
from tests.builders.partners import registration_confirmed
from tests.factories import FundingRoundFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "english")]

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "partner-api.md"


def walkthrough_commands() -> list[list[str]]:
    """The curl commands of section 13 up to the events, each as its words."""
    section = GUIDE.read_text().split("## 13.")[1].split("\n## ")[0]
    section = section.split("While the programme office assesses it")[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        command = None
        for word in shlex.split(block.replace("\\\n", " "), comments=True):
            if word in ("curl", "export"):
                command = [word] if word == "curl" else None
                if command:
                    commands.append(command)
            elif command is not None:
                command.append(word)
    return commands


def run(client, words: list[str], variables: dict):
    def expand(value: str) -> str:
        return re.sub(r"\$(\w+)", lambda m: variables.get(m.group(1), m.group(0)), value)

    method, url, headers, body, form = "GET", None, {}, None, {}
    words = iter(words[1:])
    for word in words:
        if word == "-X":
            method = next(words)
        elif word == "-H":
            name, _, value = expand(next(words)).partition(": ")
            headers[name] = value
        elif word == "-d":
            body = expand(next(words))
        elif word == "-F":
            name, _, value = next(words).partition("=")
            form[name] = (SimpleUploadedFile(value[1:], pdf_bytes()) if value.startswith("@")
                          else value)
        else:
            url = expand(word)
    path = url.replace(variables["AISS"], "/api/v1")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() != "content-type"}
    if form:
        return client.post(path, form, format="multipart", **extra)
    return client.generic(method, path, body or "", content_type=headers.get(
        "Content-Type", "application/json"), **extra)


def test_the_guides_walkthrough_runs_as_written(partner, issue_key, monkeypatch, settings):
    from rest_framework.test import APIClient

    FundingRoundFactory(code="2026R1", required_documents=[
        DocumentType.BUSINESS_PLAN, DocumentType.FINANCIAL_STATEMENTS,
        DocumentType.BR_CERTIFICATE])
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]
        if host == "portal.example.hk" else real(host, port, *a, **k)))
    key = issue_key(partner=partner)
    variables = {"AISS": "https://aiss.example.hk/api/v1", "KEY": key,
                 "H": f"Authorization: Bearer {key}"}
    client = APIClient()
    answers, named_owner = [], {}
    commands = walkthrough_commands()
    assert len(commands) >= 10

    for words in commands:
        if "br_number=" in " ".join(words):
            # Until the named owner confirms, the company is only a pending request.
            (request,) = answers[-1].json()["results"]
            assert request["status"] == "pending" and request["organisation"] is None
            company = registration_confirmed(named_owner["email"])
            (request,) = client.get("/api/v1/organisations/link-requests/",
                                    HTTP_AUTHORIZATION=f"Bearer {key}").json()["results"]
            assert (request["status"], request["organisation"]) == ("linked", company.pk)
        response = run(client, words, variables)
        assert response.status_code < 300, (words, response.content[:500])
        answers.append(response)
        body = response.json()
        if "$AISS/organisations/" in words and "POST" in words:
            named_owner["email"] = json.loads(words[words.index("-d") + 1])["owner_email"]
        if "br_number=" in " ".join(words):
            variables["ORG"] = str(body["results"][0]["id"])
        elif "$AISS/applications/" in words and "POST" in words:
            variables["APP"] = body["id"]
        elif "/submit/" in " ".join(words):
            variables["REF"] = body["reference"]

    assert variables["REF"] == "AISS-2026R1-00001"
    assert answers[-1].json()["results"][-1]["to_status"] == "submitted"
