"""Awarded grants in the 360Giving Data Standard (schema 1.4, in ``schema/``).

Identifiers: 360Giving asks for an organisation identifier from a recognised register, or
a ``360G-`` prefix with the publisher's own identifiers when there is none. Grants and
recipients use the ``360G-CYBERPORT-AISS-`` prefix with the application reference and the
Hong Kong Business Registration number.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from subsidy.finance.models import Disbursement, RecoveryReceipt
from subsidy.scheme.ledger import ZERO
from subsidy.scheme.models import Grant

PREFIX = "360G-CYBERPORT-AISS"
FUNDER = {"id": "360G-CYBERPORT", "name": "Hong Kong Cyberport Management Company Limited"}
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
# Grants that were awarded and taken up: an offer that was declined or lapsed is no award.
AWARDED = (Grant.Status.ACCEPTED, Grant.Status.ACTIVE, Grant.Status.COMPLETED,
           Grant.Status.TERMINATED)


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def _day(value) -> str:
    return f"{value.isoformat()}T00:00:00+08:00"


def _per_grant(rows):
    total = (rows.filter(grant_id=OuterRef("pk")).order_by().values("grant_id")
             .annotate(total=Sum("amount")).values("total"))
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=14,
                                                              decimal_places=2)), ZERO)


def awarded_grants():
    """Awarded grants with what was paid on them net of recoveries received (``paid``)."""
    return (Grant.objects.filter(Q(status__in=AWARDED))
            .select_related("application__organisation", "round__scheme")
            .annotate(paid=_per_grant(Disbursement.objects.filter(
                          status=Disbursement.Status.PAID))
                      - _per_grant(RecoveryReceipt.objects.all()))
            .order_by("decided_at", "pk"))


def grant_record(grant) -> dict:
    application = grant.application
    organisation = application.organisation
    record = {
        "id": f"{PREFIX}-{application.reference or grant.pk}",
        "title": (application.title or application.reference or "")[:140],
        "description": application.summary or application.title,
        "currency": "HKD",
        "amountAppliedFor": _number(application.requested_subsidy),
        "amountAwarded": _number(grant.approved_amount),
        # Net of money recovered: what the recipient finally kept.
        "amountDisbursed": _number(grant.paid),
        # A full date-time: the schema's oneOf(date-time, date pattern) would match a bare
        # date under both branches when formats are not asserted.
        "awardDate": timezone.localtime(grant.decided_at).isoformat(),
        "recipientOrganization": [{
            "id": f"{PREFIX}-ORG-{organisation.br_number}",
            "name": organisation.name_en,
            "addressCountry": "HK",
        }],
        "fundingOrganization": [FUNDER],
        "grantProgramme": [{"code": grant.round.code, "title": grant.round.title_en}],
        "dateModified": timezone.localtime(grant.updated_at).isoformat(timespec="seconds"),
    }
    if application.start_date and application.end_date:
        record["plannedDates"] = [{"startDate": _day(application.start_date),
                                   "endDate": _day(application.end_date)}]
    return record


def grants_package(*, queryset=None) -> dict:
    """The 360Giving package of every awarded grant."""
    grants = queryset if queryset is not None else awarded_grants()
    return {
        "version": "1.4",
        "title": "Cyberport AI Subsidy Scheme: awarded grants",
        "issued": timezone.localtime().isoformat(timespec="seconds"),
        "grants": [grant_record(grant) for grant in grants],
    }


def schema_validator():
    """A JSON Schema validator for the package that resolves every reference from the
    local copies of the schema, never from the network."""
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    package = json.loads((SCHEMA_DIR / "360-giving-package-schema.json").read_text())
    grant = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text())
    # The files name their dialect with an http:// URL that ``referencing`` does not know;
    # they are 2020-12 schemas, so say so instead of letting it guess.
    grant_resource = Resource(contents=grant, specification=DRAFT202012)
    ref = package["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources([(grant["$id"], grant_resource),
                                          (ref, grant_resource)])
    return Draft202012Validator(package, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)
