"""What the AI Supercomputing Centre sends (a usage statement: the CSV's columns as JSON)
and what it reads back (the statement as posted: each line's subsidy drawn and excess)."""

from rest_framework import serializers

from subsidy.api.serializers import AmountField, KnownFieldsOnly
from subsidy.compute.models import UsageStatement
from subsidy.compute.services.lines import MAX_LINES

MONEY = {"max_digits": 14, "decimal_places": 2}
PERIOD_PATTERN = r"^[0-9]{4}-[0-9]{2}$"


class StatementLineInputSerializer(KnownFieldsOnly, serializers.Serializer):
    project = serializers.CharField(max_length=40, help_text=(
        "The grant's application reference, e.g. AISS-2026R1-00042."))
    period = serializers.RegexField(PERIOD_PATTERN, max_length=7, help_text=(
        "The month used, YYYY-MM: the same month on every line of a statement."))
    gpu_type = serializers.CharField(max_length=40, help_text="e.g. H800, A100.")
    hours = AmountField(help_text="GPU-hours, at most 2 decimals.")
    list_amount = AmountField(help_text=(
        "HK$ at the list rate: the hours x the allocation's list rate, to the cent."))


class StatementInputSerializer(KnownFieldsOnly, serializers.Serializer):
    reference = serializers.CharField(max_length=60, help_text=(
        "The Centre's own number for the statement, e.g. AISC-2026-11-0042."))
    lines = StatementLineInputSerializer(many=True, allow_empty=False, max_length=MAX_LINES,
                                         help_text="One company's lines for one month.")


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    br_number = serializers.CharField()
    name_en = serializers.CharField()


class PostedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line's number in the statement, from 1.")
    project = serializers.CharField()
    gpu_type = serializers.CharField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    list_amount = serializers.DecimalField(**MONEY)
    subsidy_amount = serializers.DecimalField(
        **MONEY, help_text="Subsidy drawn from the grant's allocation (capped at what is left).")
    company_amount = serializers.DecimalField(
        **MONEY, help_text="The company's share: the list amount less the subsidy drawn.")
    excess_amount = serializers.DecimalField(
        **MONEY, help_text="Subsidy the allocation's cap withheld (the company pays it too).")


class StatementTotalsSerializer(serializers.Serializer):
    lines = serializers.IntegerField()
    hours = serializers.DecimalField(max_digits=12, decimal_places=2)
    list_amount = serializers.DecimalField(**MONEY)
    subsidy_amount = serializers.DecimalField(**MONEY)
    company_amount = serializers.DecimalField(**MONEY)
    excess_amount = serializers.DecimalField(**MONEY)


class StatementResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    organisation = OrganisationRefSerializer()
    period = serializers.CharField(help_text="YYYY-MM")
    source = serializers.ChoiceField(choices=UsageStatement.Source.values, help_text=(
        "api: sent to this API; csv: uploaded by the scheme's staff."))
    received_at = serializers.DateTimeField()
    duplicate = serializers.BooleanField(help_text=(
        "True when this very statement had been received already: nothing was posted "
        "again, and this is what was posted then."))
    totals = StatementTotalsSerializer()
    lines = PostedLineSerializer(many=True)


def statement_representation(statement: UsageStatement, *, duplicate: bool = False) -> dict:
    """``statement`` as read by ``selectors.statement_result`` (totals and lines)."""
    organisation = statement.organisation
    return {
        "id": statement.pk, "reference": statement.reference,
        "organisation": {"id": organisation.pk, "br_number": organisation.br_number,
                         "name_en": organisation.name_en},
        "period": f"{statement.period:%Y-%m}", "source": statement.source,
        "received_at": statement.received_at, "duplicate": duplicate,
        "totals": {"lines": statement.lines, "hours": statement.hours,
                   "list_amount": statement.list_amount, "subsidy_amount": statement.subsidy,
                   "company_amount": statement.company, "excess_amount": statement.excess},
        "lines": [{"line": charge.line_number, "project": charge.grant.application.reference,
                   "gpu_type": charge.gpu_type, "hours": charge.hours,
                   "list_amount": charge.list_amount, "subsidy_amount": charge.subsidy_amount,
                   "company_amount": charge.company_amount,
                   "excess_amount": charge.excess_amount}
                  for charge in statement.charges.all()],
    }
