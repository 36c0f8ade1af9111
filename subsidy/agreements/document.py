"""The offer letter and grant agreement as a PDF, in English and Traditional Chinese.

Made from the grant's terms (the approved amount and subsidy ratio), the panel's conditions
and the tranche schedule the milestones imply. The same terms always give the same bytes
(the document's date is the decision's, not the time it is drawn), so the SHA-256 of what
the applicant read can be checked when they sign: any change in between gives another hash.

The terms are read into ``OfferTerms``, a plain value, and the PDF is drawn from it alone;
since equal terms give equal bytes, a process keeps the last documents it drew (drawing
embeds a subset of a large CJK font, which takes a second).
"""

import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from django.utils import timezone

from subsidy.agreements.schedule import schedule_from_milestones
from subsidy.platform.money import money
from subsidy.scheme.models import Grant

# A condition's own numbering or bullet, dropped: the agreement numbers them itself.
_BULLET = re.compile(r"^\s*(?:[-*•·]|\(?\d{1,2}[.)、]|\(\d{1,2}\))\s*")


def conditions_of(grant: Grant) -> list[str]:
    """The panel's conditions, one per line of the decision, without their own numbering:
    the conditions precedent the agreement lists and the grant tracks."""
    lines = (_BULLET.sub("", line).strip() for line in (grant.conditions or "").splitlines())
    return [line[:2000] for line in lines if line]


@dataclass(frozen=True)
class OfferDocument:
    content: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _hk(value, fmt="%Y-%m-%d") -> str:
    return timezone.localtime(value).strftime(fmt) if value else "—"


@dataclass(frozen=True)
class OfferTerms:
    """Everything the offer document says, read from the grant and its application."""

    reference: str
    scheme: str
    company_en: str
    company_zh: str
    br_number: str
    project: str
    period: str
    round: str
    eligible_cost: str
    amount: str
    ratio: str
    decided_on: str
    open_until: str
    decided_at: datetime
    conditions: tuple[str, ...]
    # (deliverable, due date, amount) of each tranche
    schedule: tuple[tuple[str, str, str], ...]
    # A later version records a variation: its number and the changes it made.
    version: int = 1
    changes: tuple[str, ...] = ()


def offer_terms(grant: Grant) -> OfferTerms:
    application = grant.application
    organisation = application.organisation
    round_ = grant.round
    return OfferTerms(
        reference=application.reference or "—",
        scheme=f"{round_.scheme.name_en}\n{round_.scheme.name_zh}".strip(),
        company_en=organisation.name_en, company_zh=organisation.name_zh,
        br_number=organisation.br_number, project=application.title or "—",
        period=f"{application.start_date or '—'} – {application.end_date or '—'}",
        round=f"{round_.code} {round_.title_en} {round_.title_zh}".strip(),
        eligible_cost=money(application.total_eligible_cost),
        amount=money(grant.approved_amount),
        ratio=f"{grant.approved_ratio_percent.normalize():f}%",
        decided_on=_hk(grant.decided_at),
        open_until=_hk(grant.offer_expires_at, "%Y-%m-%d %H:%M HKT"),
        decided_at=grant.decided_at,
        conditions=tuple(conditions_of(grant)),
        schedule=tuple((row.description, row.due_date.isoformat(), money(row.amount))
                       for row in schedule_from_milestones(grant=grant)))


def varied_terms(grant: Grant, *, version: int, changes: list[str], schedule,
                 varied_at: datetime) -> OfferTerms:
    """The agreement's terms after a variation: the grant as it now stands, the tranche
    schedule it now has (rows with a description, a due date and an amount) and the
    changes listed."""
    return replace(
        offer_terms(grant), version=version, changes=tuple(changes),
        decided_on=_hk(varied_at), open_until="—", decided_at=varied_at,
        schedule=tuple((row.description, row.due_date.isoformat(), money(row.amount))
                       for row in schedule))


def offer_document(grant: Grant) -> OfferDocument:
    """The offer letter and grant agreement of ``grant``, as the applicant reads and signs
    it."""
    return OfferDocument(content=render(offer_terms(grant)))


@lru_cache(maxsize=32)
def render(terms: OfferTerms) -> bytes:
    """The PDF of ``terms``; the same terms always give the same bytes."""
    # Imported here: only the processes that draw a document pay for loading fpdf2.
    from subsidy.agreements.pdf import draw

    return draw(terms)
