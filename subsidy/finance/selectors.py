"""Reads for the finance pages: grants a user may see, the work queues of officers and
finance staff, and payment batches with their totals (summed in SQL)."""

from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Sum, TextField
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from applicants.models import Membership
from subsidy.agreements.models import GrantAgreement
from subsidy.finance.bankfiles.records import BankStatement, BankStatementEntry
from subsidy.finance.models import (
    BankAccount,
    Claim,
    Disbursement,
    PaymentBatch,
    Recovery,
    RecoveryReceipt,
    Tranche,
)
from subsidy.platform.models import AuditEvent
from subsidy.platform.permissions import Action, can
from subsidy.scheme.models import Grant, Scheme
from subsidy.scheme.workload import OLDEST_SHOWN, WaitingItem, WorkQueue

_GRANT_RELATED = ("application__organisation", "round")


def audit_trail(*, object_type: str = "", object_id: str = "", actor: str = "",
                date_from=None, date_to=None):
    """The audit trail, newest first, as plain rows for a page or a download: filtered by
    the object (its type, and its id), by the actor (part of the name or email shown for
    them) and by the period (days in Hong Kong time)."""
    events = AuditEvent.objects.all()
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if actor:
        events = events.filter(Q(actor_label__icontains=actor)
                               | Q(actor__email__icontains=actor)
                               | Q(actor__full_name__icontains=actor))
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return (events.order_by("-at", "-id")
            .values("id", "at", "action", "object_type", "object_id", "object_repr",
                    "actor_label", actor_email=F("actor__email"),
                    before_text=Cast("before", TextField()),
                    after_text=Cast("after", TextField())))


def scheme_chosen(*, code: str = "", round_code: str = "") -> Scheme | None:
    """The scheme a report shows: the one named by ``code``, else the scheme of the round
    ``round_code``, else the first by code (a report never adds several schemes'
    envelopes together)."""
    schemes = Scheme.objects.order_by("code")
    if code:
        return schemes.filter(code=code).first() or schemes.first()
    if round_code:
        return schemes.filter(rounds__code=round_code).first() or schemes.first()
    return schemes.first()


def grants_visible_to(*, user):
    """Staff who see grants see every accepted or later grant; applicants see their
    companies' grants."""
    grants = (Grant.objects.exclude(status__in=[Grant.Status.OFFERED, Grant.Status.DECLINED,
                                                Grant.Status.LAPSED])
              .select_related(*_GRANT_RELATED).order_by("-decided_at", "-id"))
    if can(user, Action.VIEW_FINANCE_REPORTS):
        return grants
    organisations = Membership.objects.filter(user=user).values("organisation_id")
    return grants.filter(application__organisation_id__in=organisations)


def grant_with_tranches(*, grant_id: int) -> Grant:
    claims = Claim.objects.exclude(status=Claim.Status.CANCELLED)
    return (Grant.objects.select_related(*_GRANT_RELATED)
            .prefetch_related(Prefetch("tranches", queryset=Tranche.objects.order_by("number")
                                       .prefetch_related(Prefetch("claims", queryset=claims))),
                              "conditions_precedent",
                              Prefetch("agreements", queryset=GrantAgreement.objects
                                       .defer("document").select_related("signed_by")))
            .get(pk=grant_id))


def grant_recoveries(*, grant_id: int) -> list:
    """The recovery orders of a grant, newest first, each with ``received`` and
    ``outstanding`` summed in SQL and its receipts: two queries."""
    received = Coalesce(Sum("receipts__amount"), Decimal("0.00"))
    return list(Recovery.objects.filter(grant_id=grant_id)
                .annotate(received=received)
                .annotate(outstanding=F("amount") - F("received"))
                .select_related("raised_by")
                .prefetch_related(Prefetch("receipts", queryset=RecoveryReceipt.objects
                                           .order_by("received_on", "id")))
                .order_by("-raised_at", "-id"))


def claim_detail(*, claim_id: int) -> Claim:
    return (Claim.objects.select_related("tranche__grant__application__organisation",
                                         "tranche__grant__round", "submitted_by",
                                         "verified_by", "progress_report__requirement")
            .prefetch_related("spend__budget_line", "evidence").get(pk=claim_id))


def _claims(status):
    return (Claim.objects.filter(status=status)
            .select_related("tranche__grant__application__organisation",
                            "tranche__grant__round").order_by("submitted_at", "id"))


def claims_awaiting_verification():
    return _claims(Claim.Status.SUBMITTED)


def claims_to_verify_queue() -> WorkQueue:
    """The officer's dashboard queue of claims awaiting verification, oldest first."""
    rows = Claim.objects.filter(status=Claim.Status.SUBMITTED)
    oldest = (rows.select_related("tranche__grant__application")
              .only("submitted_at", "tranche__number", "tranche__grant__application__reference",
                    "tranche__grant__application__title")
              .order_by("submitted_at", "id")[:OLDEST_SHOWN])
    return WorkQueue(
        code="claims_to_verify", label=_("Claims to verify"), count=rows.count(),
        url=reverse("finance:claims"),
        items=[WaitingItem(
            label=f"{c.tranche.grant.application.reference} · "
                  f"{c.tranche.grant.application.title}",
            detail=_("tranche %(number)s") % {"number": c.tranche.number},
            since=c.submitted_at, url=reverse("finance:claim", args=[c.pk]))
            for c in oldest])


def live_payment_exists():
    """Whether a claim (the outer row) has a payment still going somewhere: prepared,
    approved, with the bank or paid (a failed or cancelled one does not count)."""
    return Exists(Disbursement.objects.filter(claim=OuterRef("pk")).exclude(
        status__in=[Disbursement.Status.FAILED, Disbursement.Status.CANCELLED]))


def claims_awaiting_preparation():
    """Verified claims with no live payment: never prepared, or their payment failed."""
    return _claims(Claim.Status.VERIFIED).filter(~live_payment_exists())


def payments(status):
    return (Disbursement.objects.filter(status=status)
            .select_related("grant__application__organisation", "grant__round", "tranche",
                            "prepared_by", "approved_by", "payee_verified_by", "batch")
            .order_by("prepared_at", "id"))


def batches_with_totals():
    return PaymentBatch.objects.annotate(
        count=Count("disbursements"), total=Sum("disbursements__amount"),
        open_count=Count("disbursements",
                         filter=Q(disbursements__status=Disbursement.Status.BATCHED)),
        failed_count=Count("disbursements",
                           filter=Q(disbursements__status=Disbursement.Status.FAILED)),
    ).select_related("created_by", "released_by").order_by("-created_at", "-id")


def batch_payments(*, batch: PaymentBatch):
    """The batch's payments as sent, each with the bank's answers (outcomes)."""
    return (batch.disbursements.select_related("grant__application__organisation", "tranche",
                                               "prepared_by", "approved_by")
            .prefetch_related("outcomes").order_by("pk"))


def bank_accounts_to_verify():
    return (BankAccount.objects.filter(verified_by__isnull=True)
            .select_related("organisation", "updated_by").order_by("updated_at", "id"))


def bank_accounts_recently_verified():
    return (BankAccount.objects.filter(verified_by__isnull=False)
            .select_related("organisation", "verified_by").order_by("-verified_at", "-id"))


_EXCEPTIONS = ~Q(result=BankStatementEntry.Result.MATCHED)


def statements_with_counts():
    return (BankStatement.objects.annotate(
        entry_count=Count("entries"),
        exception_count=Count("entries",
                              filter=~Q(entries__result=BankStatementEntry.Result.MATCHED)))
            .select_related("imported_by").order_by("-imported_at", "-id"))


def statement_entries(*, statement: BankStatement):
    return (statement.entries.select_related("payment__grant__application")
            .order_by("line"))


def statement_exceptions():
    return (BankStatementEntry.objects.filter(_EXCEPTIONS)
            .select_related("statement", "payment__grant__application")
            .order_by("-statement__imported_at", "-statement_id", "line"))
