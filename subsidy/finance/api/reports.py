"""REST API v1 finance reports: the disbursement and commitments registers (JSON pages, or
the whole register as CSV at its own path, ``…/csv/``, so that a client generated from the
schema never meets CSV where it expects JSON) and a summary by round, category, sector
and month. For staff keys of people who may see finance reports; the figures are the
finance pages' own (``subsidy.finance.reports``), summed in SQL."""

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from subsidy.api.query import DeclaredQueryParameters
from subsidy.api.serializers import QueryFilters
from subsidy.finance.models import Disbursement
from subsidy.finance.reports import figures
from subsidy.finance.reports.registers import (
    COMMITMENT_COLUMNS,
    DISBURSEMENT_COLUMNS,
    RegisterFilter,
    commitments_register,
    disbursement_register,
)
from subsidy.platform import exports
from subsidy.platform.permissions import Action, can
from subsidy.scheme.models import FundingRound, Grant, Scheme

REPORTS_READ = ["reports:read"]

CSV_RESPONSE = {(200, "text/csv"): OpenApiResponse(
    response=OpenApiTypes.STR,
    description="The whole register as one CSV file (UTF-8 with a byte-order mark); the "
                "header row is the columns' keys.")}

_MONEY = {"max_digits": 14, "decimal_places": 2}


class DisbursementRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    company = serializers.CharField()
    scheme_code = serializers.CharField()
    round_code = serializers.CharField()
    tranche_number = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=Disbursement.Status.choices)
    status_label = serializers.CharField(help_text="The status in words, in the "
                                         "language of the request.")
    amount = serializers.DecimalField(**_MONEY)
    prepared_at = serializers.DateTimeField()
    approved_at = serializers.DateTimeField(allow_null=True)
    batch_reference = serializers.CharField(allow_null=True)
    value_date = serializers.DateField(allow_null=True)
    bank_reference = serializers.CharField(allow_blank=True, allow_null=True)


class CommitmentRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_null=True)
    company = serializers.CharField()
    scheme_code = serializers.CharField()
    round_code = serializers.CharField()
    category = serializers.CharField(allow_blank=True)
    category_label = serializers.CharField(allow_blank=True)
    sector = serializers.CharField()
    sector_label = serializers.CharField()
    status = serializers.ChoiceField(choices=Grant.Status.choices)
    status_label = serializers.CharField()
    approved_amount = serializers.DecimalField(**_MONEY)
    compute_allocated = serializers.DecimalField(**_MONEY, help_text=(
        "The compute allocation at the AI Supercomputing Centre: the subsidy it may draw "
        "(0 without one)."))
    committed = serializers.DecimalField(**_MONEY, help_text=(
        "Cash (the approved amount; net paid once closed) plus compute (the allocation "
        "less what it released)."))
    paid = serializers.DecimalField(**_MONEY)
    recovered = serializers.DecimalField(**_MONEY, help_text=(
        "Recovered from the company (approved recovery orders received)."))
    net_paid = serializers.DecimalField(**_MONEY, help_text="Paid less recovered.")
    compute_drawn = serializers.DecimalField(**_MONEY, help_text=(
        "Compute subsidy drawn at the Centre: never paid to the company."))
    compute_released = serializers.DecimalField(**_MONEY, help_text=(
        "What the compute allocation released at closure, or when the offer was declined "
        "or lapsed."))
    compute_committed = serializers.DecimalField(**_MONEY)
    outstanding = serializers.DecimalField(**_MONEY, help_text=(
        "Committed, neither paid nor drawn at the Centre."))
    decided_at = serializers.DateTimeField(allow_null=True)


class SchemeFilterSerializer(QueryFilters, serializers.Serializer):
    scheme = serializers.CharField(required=False, max_length=20, help_text=(
        "The scheme's code: only its rounds' grants and payments."))


class DisbursementFilterSerializer(SchemeFilterSerializer):
    date_from = serializers.DateField(required=False, help_text=(
        "Value date of paid payments, preparation date of the others."))
    date_to = serializers.DateField(required=False)
    round = serializers.CharField(required=False, max_length=20)
    status = serializers.ChoiceField(choices=Disbursement.Status.choices, required=False)


class CommitmentFilterSerializer(SchemeFilterSerializer):
    round = serializers.CharField(required=False, max_length=20)
    status = serializers.ChoiceField(choices=Grant.Status.choices, required=False)


class CsvFormat(serializers.Serializer):
    """``?format=csv`` on a register's JSON path: the 1.0 way to the CSV, deprecated and
    kept until version 2 (the …/csv/ path is the way now)."""

    format = serializers.ChoiceField(choices=["csv"], required=False)


class DisbursementJsonFilterSerializer(CsvFormat, DisbursementFilterSerializer):
    pass


class CommitmentJsonFilterSerializer(CsvFormat, CommitmentFilterSerializer):
    pass


# Kept out of the schema: a JSON path declares JSON only, so that a generated client never
# meets CSV there (the deprecated alias still answers until version 2).
CSV_FORMAT_PARAMETER = OpenApiParameter(name="format", location=OpenApiParameter.QUERY,
                                        exclude=True)


class RoundFiguresSerializer(serializers.Serializer):
    code = serializers.CharField()
    envelope = serializers.DecimalField(**_MONEY)
    committed = serializers.DecimalField(**_MONEY)
    remaining = serializers.DecimalField(**_MONEY)
    paid = serializers.DecimalField(**_MONEY)


class DimensionFiguresSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, allow_blank=True)
    committed = serializers.DecimalField(**_MONEY)
    paid = serializers.DecimalField(**_MONEY)


class MonthFiguresSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first day of the month; every month from "
                                  "the first to the last, a month without payments at 0.")
    paid = serializers.DecimalField(**_MONEY, source="total")
    count = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    rounds = RoundFiguresSerializer(many=True)
    categories = DimensionFiguresSerializer(many=True)
    sectors = DimensionFiguresSerializer(many=True)
    months = MonthFiguresSerializer(many=True, help_text="Payments by value date.")


class FinanceReportView(DeclaredQueryParameters, generics.GenericAPIView):
    """Open to keys of staff who may see finance reports; a partner's key is refused."""

    required_scopes = REPORTS_READ

    def check_permissions(self, request):
        super().check_permissions(request)
        if not can(request.user, Action.VIEW_FINANCE_REPORTS):
            raise exceptions.PermissionDenied(
                _("Finance reports are read with the key of a member of staff who may see "
                  "them."), code="finance_role_required")

    csv_path = False  # the …/csv/ twin of a register

    def perform_content_negotiation(self, request, force=False):
        # CSV is written by the view itself, whatever the client accepts; errors stay
        # problem+json.
        if self.wants_csv():
            renderer = JSONRenderer()
            return renderer, renderer.media_type
        return super().perform_content_negotiation(request, force)

    def wants_csv(self) -> bool:
        # ``?format=csv`` on the JSON path is the 1.0 way, kept until version 2; any other
        # unknown format was refused with 404 by content negotiation.
        return self.csv_path or self.request.query_params.get("format") == "csv"

    def csv(self, columns, filename: str, ordering: str):
        """The whole register as CSV for programs: the header is the columns' keys and the
        labels are English, whatever the request's language."""
        with translation.override("en"):
            rows = self.get_queryset().order_by(ordering)
        return exports.csv_response(rows, columns, filename, keys=True, reporting=True)


@extend_schema(tags=["reports"])
class DisbursementReport(FinanceReportView, generics.ListAPIView):
    """Every payment with its grant, company, round and tranche, newest first."""

    serializer_class = DisbursementRowSerializer
    query_filters = DisbursementJsonFilterSerializer
    cursor_ordering = ("-id",)

    def get_queryset(self):
        wanted = self.query
        return disbursement_register(RegisterFilter(
            date_from=wanted.get("date_from"), date_to=wanted.get("date_to"),
            round_code=wanted.get("round", ""), status=wanted.get("status", ""),
            scheme_code=wanted.get("scheme", "")))

    @extend_schema(parameters=[CSV_FORMAT_PARAMETER])
    def get(self, request, *args, **kwargs):
        if self.wants_csv():
            return self.csv(DISBURSEMENT_COLUMNS, "disbursements", "-id")
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reports"])
class DisbursementReportCsv(DisbursementReport):
    """The whole disbursement register as one CSV file, with the same filters."""

    csv_path = True
    pagination_class = None
    query_filters = DisbursementFilterSerializer

    @extend_schema(responses=CSV_RESPONSE, operation_id="reports_disbursements_csv")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reports"])
class CommitmentReport(FinanceReportView, generics.ListAPIView):
    """Every grant that commits money, with what is committed, paid and outstanding."""

    serializer_class = CommitmentRowSerializer
    query_filters = CommitmentJsonFilterSerializer
    cursor_ordering = ("id",)

    def get_queryset(self):
        wanted = self.query
        return commitments_register(round_code=wanted.get("round", ""),
                                    status=wanted.get("status", ""),
                                    scheme_code=wanted.get("scheme", ""))

    @extend_schema(parameters=[CSV_FORMAT_PARAMETER])
    def get(self, request, *args, **kwargs):
        if self.wants_csv():
            return self.csv(COMMITMENT_COLUMNS, "commitments", "id")
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reports"])
class CommitmentReportCsv(CommitmentReport):
    """The whole commitments register as one CSV file, with the same filters."""

    csv_path = True
    pagination_class = None
    query_filters = CommitmentFilterSerializer

    @extend_schema(responses=CSV_RESPONSE, operation_id="reports_commitments_csv")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["reports"])
class FinanceSummary(FinanceReportView):
    """Committed, paid and remaining by round; committed and paid by category and sector;
    payments by month."""

    serializer_class = SummarySerializer
    query_filters = SchemeFilterSerializer

    def get(self, request):
        scheme = None
        if self.query.get("scheme"):
            scheme = Scheme.objects.filter(code=self.query["scheme"]).first()
            if scheme is None:
                raise exceptions.NotFound(_("No scheme has this code."))
        summary = {
            "rounds": figures.rounds_with_paid(
                FundingRound.objects.filter(scheme=scheme) if scheme else None),
            "categories": figures.by_dimension("category", scheme=scheme),
            "sectors": figures.by_dimension("sector", scheme=scheme),
            "months": figures.paid_by_month(scheme=scheme),
        }
        return Response(SummarySerializer(summary).data)
