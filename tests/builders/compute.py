"""Grants with a compute allocation, and usage statements as the Centre sends them."""

import json
import time
from decimal import Decimal

from rest_framework.test import APIClient

from subsidy.api.services.keys import api_key_create
from subsidy.compute.services.allocations import compute_allocation_set
from subsidy.compute.services.lines import COLUMNS
from subsidy.compute.services.statements import statement_from_csv, statement_receive
from subsidy.platform.roles import Role
from subsidy.platform.signing import SIGNATURE_HEADER, signature
from tests.factories import GrantFactory, MembershipFactory, UserFactory

HEADER = "project,period,gpu_type,hours,list_amount"


def grant_with_allocation(*, hours="1000", ratio="70", organisation=None):
    """An accepted grant (round rate HK$18.50) with an allocation of ``hours`` at ``ratio``%
    (1,000 hours at 70%: HK$12,950.00), an owner (``grant.owner``)."""
    extra = {"application__organisation": organisation} if organisation else {}
    grant = GrantFactory(approved_ratio_percent=Decimal(ratio), **extra)
    grant.owner = MembershipFactory(organisation=grant.application.organisation).user
    compute_allocation_set(actor=UserFactory(), grant=grant,
                           hours=hours)
    return grant


def csv_of(*rows) -> bytes:
    """``rows``: (project, period, gpu_type, hours, list_amount) tuples or raw lines."""
    lines = [HEADER] + [row if isinstance(row, str) else ",".join(str(v) for v in row)
                        for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def line(grant, hours, *, period="2026-11", gpu="H800"):
    hours = Decimal(str(hours))
    return (grant.application.reference, period, gpu, f"{hours:.2f}",
            f"{hours * grant.round.gpu_hour_rate:.2f}")


def post_csv(content: bytes, *, reference="AISC-2026-11-0001", actor=None):
    return statement_receive(statement=statement_from_csv(reference=reference,
                                                          content=content), actor=actor)


# --- The Centre's API ----------------------------------------------------------------------

STATEMENTS = "/api/v1/aisc/statements/"


def aisc_key(*, scopes=("aisc:statements",)):
    """The Centre's key, issued by an administrator: ``.plaintext`` and ``.signing_secret``."""
    return api_key_create(actor=UserFactory(roles=[Role.ADMINISTRATOR]), name="AISC",
                          scopes=list(scopes), aisc=True)


def api_lines(*rows) -> list[dict]:
    """``rows`` as ``line()`` makes them, as the API's JSON lines."""
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


class AiscApi:
    """The Centre's side of the API: each request signed with the key's signing secret, as
    the guide (docs/compute.md) says; ``secret`` and ``at`` stand in for a wrong secret or a
    wrong clock."""

    def __init__(self, issued):
        self.issued = issued
        self.client = APIClient()
        self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.plaintext}")

    def sign(self, body: bytes, *, secret=None, at=None) -> str:
        return signature(secret=secret or self.issued.signing_secret,
                         timestamp=int(time.time() if at is None else at), body=body)

    def post(self, payload, *, signed: bytes | None = None, headers=None, **sign):
        body = json.dumps(payload).encode()
        headers = {SIGNATURE_HEADER: self.sign(body if signed is None else signed, **sign),
                   **(headers or {})}
        return self.client.post(STATEMENTS, body, content_type="application/json",
                                headers=headers)

    def statement(self, reference, *rows, **kwargs):
        return self.post({"reference": reference, "lines": api_lines(*rows)}, **kwargs)

    def get(self, path, **sign):
        return self.client.get(path, headers={SIGNATURE_HEADER: self.sign(b"", **sign)})
