"""Awarded grants in the 360Giving Data Standard (schema 1.4, in ``schema/``).

Identifiers follow 360Giving's guidance: an organisation is named by its identifier in a
register listed on org-id.guide where it has one, and by the publisher's own ``360G-``
prefix only where it has none.

- A recipient with a Companies Registry number is ``HK-CR-<CR No.>`` (``HK-CR`` is
  org-id.guide's code for the Hong Kong Companies Register); one without (a company
  registered before the number was asked for) is
  ``<OPENDATA_PUBLISHER_PREFIX>-AISS-ORG-<BR No.>``.
- The funder is ``OPENDATA_FUNDER_ORG_ID`` (Cyberport's ``HK-CR-`` identifier, set per
  deployment), else the publisher prefix itself.
- Grants are ``<OPENDATA_PUBLISHER_PREFIX>-AISS-<application reference>``.

Locations: the recipient's district as a geographic code from the HKSAR Government's
District Council code list (no ``geoCodeType``: 360Giving's list of types names UK
geographies only), and Hong Kong as the beneficiary location.
"""

import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation

from applicants.models import District
from subsidy.compute.models import ComputeAllocation, ComputeCharge
from subsidy.finance.models import Disbursement, RecoveryReceipt
from subsidy.scheme.ledger import ZERO
from subsidy.scheme.models import Grant

COMPANIES_REGISTER = "HK-CR"
FUNDER_NAME = "Hong Kong Cyberport Management Company Limited"
HONG_KONG = ZoneInfo("Asia/Hong_Kong")
BENEFICIARY_LOCATION = {"name": "Hong Kong", "countryCode": "HK", "geoCode": "HK"}
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
# Grants that were awarded and taken up: an offer that was declined or lapsed is no award.
AWARDED = (Grant.Status.ACCEPTED, Grant.Status.ACTIVE, Grant.Status.COMPLETED,
           Grant.Status.TERMINATED)


def publisher_prefix() -> str:
    return settings.OPENDATA_PUBLISHER_PREFIX


def funder() -> dict:
    return {"id": settings.OPENDATA_FUNDER_ORG_ID or publisher_prefix(), "name": FUNDER_NAME}


def recipient_id(organisation) -> str:
    if organisation.cr_number:
        return f"{COMPANIES_REGISTER}-{organisation.cr_number}"
    return f"{publisher_prefix()}-AISS-ORG-{organisation.br_number}"


def data_source() -> str:
    return settings.SITE_URL.rstrip("/") + reverse("finance:open_data_360giving")


def _hong_kong_time(moment) -> str:
    """Hong Kong time with its +08:00 offset, whatever time zone the request activated."""
    return moment.astimezone(HONG_KONG).isoformat(timespec="seconds")


def _recipient(organisation) -> dict:
    recipient = {"id": recipient_id(organisation), "name": organisation.name_en,
                 "addressCountry": "HK"}
    if organisation.district:
        with translation.override("en"):
            name = str(District(organisation.district).label)
        recipient["addressLocality"] = name
        recipient["location"] = [{"name": name, "countryCode": "HK",
                                  "geoCode": organisation.district}]
    return recipient


def _number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral() else float(value)


def _day(value) -> str:
    return f"{value.isoformat()}T00:00:00+08:00"


def _per_grant(rows, field: str = "amount"):
    total = (rows.filter(grant_id=OuterRef("pk")).order_by().values("grant_id")
             .annotate(total=Sum(field)).values("total"))
    return Coalesce(Subquery(total, output_field=DecimalField(max_digits=14,
                                                              decimal_places=2)), ZERO)


def awarded_grants():
    """Awarded grants with what was paid on them net of recoveries received (``paid``), the
    compute subsidy drawn at the Centre (``compute_drawn``) and their compute allocation
    less what it released (``compute_committed``)."""
    return (Grant.objects.filter(Q(status__in=AWARDED))
            .select_related("application__organisation", "round__scheme")
            .annotate(paid=_per_grant(Disbursement.objects.filter(
                          status=Disbursement.Status.PAID))
                      - _per_grant(RecoveryReceipt.objects.all()),
                      compute_drawn=_per_grant(ComputeCharge.objects.all(), "subsidy_amount"),
                      compute_committed=_per_grant(ComputeAllocation.objects.annotate(
                          committed=F("amount") - F("released_amount")), "committed"))
            .order_by("decided_at", "pk"))


def grant_record(grant, *, source: str | None = None) -> dict:
    application = grant.application
    source = source or data_source()
    organisation = application.organisation
    record = {
        "id": f"{publisher_prefix()}-AISS-{application.reference or grant.pk}",
        "title": (application.title or application.reference or "")[:140],
        "description": application.summary or application.title,
        "currency": "HKD",
        "amountAppliedFor": _number(application.requested_subsidy),
        # The compute allocation at the AI Supercomputing Centre is awarded too (less what
        # was released at closure), and the compute subsidy drawn there is disbursed in kind.
        "amountAwarded": _number(grant.approved_amount + grant.compute_committed),
        # Net of money recovered: what the recipient finally kept.
        "amountDisbursed": _number(grant.paid + grant.compute_drawn),
        # A full date-time: the schema's oneOf(date-time, date pattern) would match a bare
        # date under both branches when formats are not asserted.
        "awardDate": grant.decided_at.astimezone(HONG_KONG).isoformat(),
        "recipientOrganization": [_recipient(organisation)],
        "beneficiaryLocation": [dict(BENEFICIARY_LOCATION)],
        "fundingOrganization": [funder()],
        "grantProgramme": [{"code": grant.round.code, "title": grant.round.title_en}],
        "dateModified": _hong_kong_time(grant.updated_at),
        "dataSource": source,
    }
    if application.start_date and application.end_date:
        record["plannedDates"] = [{"startDate": _day(application.start_date),
                                   "endDate": _day(application.end_date)}]
    return record


def grants_package(*, queryset=None) -> dict:
    """The 360Giving package of every awarded grant."""
    grants = queryset if queryset is not None else awarded_grants()
    source = data_source()
    return {
        "version": "1.4",
        "title": "Cyberport AI Subsidy Scheme: awarded grants",
        "issued": _hong_kong_time(timezone.now()),
        "grants": [grant_record(grant, source=source) for grant in grants],
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
