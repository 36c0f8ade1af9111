"""The disbursement register (every payment) and the commitments register (every grant
that commits money, in cash and in compute subsidy at the AI Supercomputing Centre), as
querysets of plain rows, ready for a page, a download or the API.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from subsidy.compute.models import ComputeCharge
from subsidy.finance.models import Disbursement, RecoveryReceipt
from subsidy.scheme.ledger import ZERO
from subsidy.scheme.models import Grant, Sector

_MONEY = DecimalField(max_digits=14, decimal_places=2)

# Each coded column is written twice: the label a person reads (``status_label``), in the
# reader's language, and the code a program keeps (``status``).
DISBURSEMENT_COLUMNS = (
    ("id", _("Payment")), ("reference", _("Application")), ("company", _("Company")),
    ("scheme_code", _("Scheme")), ("round_code", _("Round")),
    ("tranche_number", _("Tranche")), ("status_label", _("Status")),
    ("status", _("Status code")), ("amount", _("Amount (HKD)")),
    ("prepared_at", _("Prepared")), ("approved_at", _("Approved")),
    ("batch_reference", _("Batch")), ("value_date", _("Value date")),
    ("bank_reference", _("Bank reference")),
)

COMMITMENT_COLUMNS = (
    ("id", _("Grant")), ("reference", _("Application")), ("company", _("Company")),
    ("scheme_code", _("Scheme")), ("round_code", _("Round")),
    ("category_label", _("Category")), ("category", _("Category code")),
    ("sector_label", _("Sector")), ("sector", _("Sector code")),
    ("status_label", _("Status")), ("status", _("Status code")),
    ("approved_amount", _("Approved (HKD)")),
    ("compute_allocated", _("Compute allocation (HKD)")),
    ("committed", _("Committed (HKD)")),
    ("paid", _("Paid (HKD)")), ("recovered", _("Recovered (HKD)")),
    ("net_paid", _("Net paid (HKD)")),
    ("compute_drawn", _("Compute subsidy drawn (HKD)")),
    ("compute_released", _("Compute released (HKD)")),
    ("compute_committed", _("Compute committed (HKD)")),
    ("outstanding", _("Committed, not yet paid or drawn (HKD)")),
    ("decided_at", _("Approved on")),
)

# The money columns of the commitments register that its totals row sums.
_COMMITMENT_TOTALS = ("compute_allocated", "committed", "paid", "recovered", "net_paid",
                     "compute_drawn", "compute_released", "compute_committed", "outstanding")


def label_of(path: str, choices) -> Case:
    """The label of the code in ``path``, in the active language, computed in SQL (so a
    streamed download carries it too); an unknown code is shown as it is."""
    return Case(*[When(**{path: code}, then=Value(str(label))) for code, label in choices],
                default=F(path), output_field=CharField())


@dataclass(frozen=True)
class RegisterFilter:
    date_from: date | None = None
    date_to: date | None = None
    round_code: str = ""
    status: str = ""
    scheme_code: str = ""


def disbursement_register(filters: RegisterFilter | None = None):
    """Every payment with its grant, company, round and tranche. The period filters on
    the value date of paid payments and on the preparation date of the others."""
    filters = filters or RegisterFilter()
    rows = Disbursement.objects.all()
    if filters.scheme_code:
        rows = rows.filter(grant__round__scheme__code=filters.scheme_code)
    if filters.round_code:
        rows = rows.filter(grant__round__code=filters.round_code)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.date_from:
        rows = rows.filter(Q(value_date__gte=filters.date_from)
                           | Q(value_date__isnull=True,
                               prepared_at__date__gte=filters.date_from))
    if filters.date_to:
        rows = rows.filter(Q(value_date__lte=filters.date_to)
                           | Q(value_date__isnull=True, prepared_at__date__lte=filters.date_to))
    return (rows.order_by("-prepared_at", "-id").values(
        "id", "status", "amount", "prepared_at", "approved_at", "value_date", "bank_reference",
        reference=F("grant__application__reference"),
        company=F("grant__application__organisation__name_en"),
        scheme_code=F("grant__round__scheme__code"),
        round_code=F("grant__round__code"), tranche_number=F("tranche__number"),
        batch_reference=F("batch__reference"),
        status_label=label_of("status", Disbursement.Status.choices)))


def register_totals(rows) -> dict:
    """Count and amount of a register's rows by status, in the order of the statuses,
    from one grouped query: a paid payment and a cancelled one are never added together.
    ``paid`` is the amount paid."""
    labels = dict(Disbursement.Status.choices)
    grouped = {row["status"]: row for row in rows.order_by().values("status")
               .annotate(count=Count("pk"), total=Coalesce(Sum("amount"), ZERO))}
    by_status = [{"status": code, "label": labels[code], "count": grouped[code]["count"],
                  "total": grouped[code]["total"]}
                 for code in Disbursement.Status.values if code in grouped]
    paid = grouped.get(Disbursement.Status.PAID)
    return {"count": sum(entry["count"] for entry in by_status), "by_status": by_status,
            "paid": paid["total"] if paid else ZERO}


def disbursement_totals_rows(totals: dict) -> list[list]:
    """The totals of a disbursement register as rows below a download: one a status."""
    keys = [key for key, _label in DISBURSEMENT_COLUMNS]
    rows = []
    for entry in totals["by_status"]:
        row = [None] * len(keys)
        row[keys.index("id")] = str(_("Total"))
        row[keys.index("status_label")] = str(entry["label"])
        row[keys.index("status")] = entry["status"]
        row[keys.index("amount")] = entry["total"]
        rows.append(row)
    return rows


def _per_grant(rows, field: str = "amount"):
    return Coalesce(Subquery(
        rows.filter(grant_id=OuterRef("pk")).order_by().values("grant_id")
        .annotate(total=Sum(field)).values("total"), output_field=_MONEY), ZERO)


def commitments(*, round_code: str = "", status: str = "", scheme_code: str = ""):
    """Every grant that commits money, annotated in the ledger's terms: cash (offered,
    accepted and active grants for their approved amount; completed and terminated ones
    for their net paid) plus compute (the allocation at the AI Supercomputing Centre less
    what it released at closure, docs/compute.md). ``committed`` is both; ``outstanding``
    is what is committed and neither paid nor drawn at the Centre."""
    grants = Grant.objects.filter(
        status__in=[*Grant.COMMITTING_STATUSES, *Grant.CLOSED_STATUSES])
    if scheme_code:
        grants = grants.filter(round__scheme__code=scheme_code)
    if round_code:
        grants = grants.filter(round__code=round_code)
    if status:
        grants = grants.filter(status=status)
    return (grants.annotate(
                paid=_per_grant(Disbursement.objects.filter(status=Disbursement.Status.PAID)),
                recovered=_per_grant(RecoveryReceipt.objects.all()))
            .annotate(net_paid=F("paid") - F("recovered"),
                      compute_allocated=Coalesce(F("compute_allocation__amount"), ZERO),
                      compute_released=Coalesce(F("compute_allocation__released_amount"),
                                                ZERO),
                      compute_drawn=_per_grant(ComputeCharge.objects.all(), "subsidy_amount"))
            .annotate(compute_committed=F("compute_allocated") - F("compute_released"))
            .annotate(committed=Case(When(status__in=Grant.CLOSED_STATUSES,
                                          then=F("net_paid")),
                                     default=F("approved_amount"), output_field=_MONEY)
                      + F("compute_committed"))
            .annotate(outstanding=F("committed") - F("net_paid") - F("compute_drawn")))


def commitments_register(*, round_code: str = "", status: str = "", scheme_code: str = ""):
    """The commitments register's rows."""
    return (commitments(round_code=round_code, status=status, scheme_code=scheme_code)
            .order_by("round__code", "application__reference", "id")
            .values("id", "status", "approved_amount", "compute_allocated", "committed",
                    "paid", "recovered", "net_paid", "compute_drawn", "compute_released",
                    "compute_committed", "outstanding",
                    "decided_at", reference=F("application__reference"),
                    company=F("application__organisation__name_en"),
                    scheme_code=F("round__scheme__code"), round_code=F("round__code"),
                    category=F("application__category"),
                    sector=F("application__organisation__sector"),
                    status_label=label_of("status", Grant.Status.choices),
                    category_label=label_of("application__category", Sector.choices),
                    sector_label=label_of("application__organisation__sector",
                                          Sector.choices)))


def commitment_totals(*, round_code: str = "", status: str = "",
                      scheme_code: str = "") -> dict:
    """Count, committed, paid and recovered of the register, summed in SQL in the ledger's
    terms: whole approved amounts of open grants plus the net paid of closed ones, plus
    the compute allocations less what they released; and the compute subsidy drawn."""
    grants = commitments(round_code=round_code, status=status, scheme_code=scheme_code)
    whole = grants.aggregate(
        count=Count("pk"),
        approved=Coalesce(Sum("approved_amount",
                              filter=Q(status__in=Grant.COMMITTING_STATUSES)), ZERO),
        compute_allocated=Coalesce(Sum("compute_allocation__amount"), ZERO),
        compute_released=Coalesce(Sum("compute_allocation__released_amount"), ZERO),
        # The per-grant sum itself, summed: folded into this query, not one more.
        compute_drawn=Coalesce(Sum(_per_grant(ComputeCharge.objects.all(),
                                              "subsidy_amount")), ZERO))
    closed = Q(grant__status__in=Grant.CLOSED_STATUSES)
    paid = Disbursement.objects.filter(
        status=Disbursement.Status.PAID, grant__in=grants.values("pk")).aggregate(
        paid=Coalesce(Sum("amount"), ZERO),
        on_closed=Coalesce(Sum("amount", filter=closed), ZERO))
    recovered = RecoveryReceipt.objects.filter(grant__in=grants.values("pk")).aggregate(
        recovered=Coalesce(Sum("amount"), ZERO),
        on_closed=Coalesce(Sum("amount", filter=closed), ZERO))
    compute_committed = whole["compute_allocated"] - whole["compute_released"]
    committed = (whole["approved"] + paid["on_closed"] - recovered["on_closed"]
                 + compute_committed)
    net_paid = paid["paid"] - recovered["recovered"]
    return {"count": whole["count"], "committed": committed, "paid": paid["paid"],
            "recovered": recovered["recovered"], "net_paid": net_paid,
            "compute_allocated": whole["compute_allocated"],
            "compute_released": whole["compute_released"],
            "compute_committed": compute_committed, "compute_drawn": whole["compute_drawn"],
            "outstanding": committed - net_paid - whole["compute_drawn"]}


def commitment_totals_rows(totals: dict) -> list[list]:
    """The totals of the commitments register as a row below a download."""
    keys = [key for key, _label in COMMITMENT_COLUMNS]
    row = [None] * len(keys)
    row[keys.index("id")] = str(_("Total"))
    for key in _COMMITMENT_TOTALS:
        row[keys.index(key)] = totals[key]
    return [row]


REGISTER_PAGE_SIZE = 50


def register_page(rows, *, number) -> Page:
    """One on-screen page of a register (``REGISTER_PAGE_SIZE`` rows). Downloads and the
    API keep every row."""
    return Paginator(rows, REGISTER_PAGE_SIZE).get_page(number)


def json_rows(rows) -> list[dict]:
    """Register rows as JSON-ready dicts (amounts as strings, dates in ISO 8601)."""
    def clean(value):
        if isinstance(value, Decimal):
            return f"{value:.2f}"
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return value

    return [{key: clean(value) for key, value in row.items()} for row in rows]

