"""The AI Supercomputing Centre's API: it sends a company's monthly usage statement, and
reads back what was posted.

Only the Centre's key (scope ``aisc:statements``), each request signed with its signing
secret (``subsidy.api.auth.AiscKeyOnly``). A statement goes through the same service as a
CSV uploaded by staff (``statement_receive``): validated whole, posted whole or not at all;
this view only translates its answers (a rejected statement's problems by line and field, a
statement received before as what was posted then)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from subsidy.api.auth import AiscKeyOnly, HasRequiredScopes
from subsidy.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IdempotentWritesMixin
from subsidy.api.query import DeclaredQueryParameters
from subsidy.compute import selectors
from subsidy.compute.api.serializers import (
    StatementInputSerializer,
    StatementResultSerializer,
    statement_representation,
)
from subsidy.compute.services.lines import Problem
from subsidy.compute.services.statements import (
    StatementDuplicate,
    StatementRejected,
    statement_from_api,
    statement_receive,
)
from subsidy.platform.signing import SIGNATURE_HEADER

AISC_STATEMENTS = ["aisc:statements"]

SIGNATURE_PARAMETER = OpenApiParameter(
    name=SIGNATURE_HEADER, type={"type": "string", "pattern": r"^t=[0-9]+,v1=[0-9a-f]{64}$"},
    location=OpenApiParameter.HEADER, required=True,
    description=("t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<raw body>\">, keyed with the "
                 "key's signing secret (an empty body for a GET); the time within 5 minutes "
                 "of the scheme's clock."))

EXAMPLE_STATEMENT = {
    "reference": "AISC-2026-11-0042",
    "lines": [
        {"project": "AISS-2026R1-00042", "period": "2026-11", "gpu_type": "H800",
         "hours": "120.50", "list_amount": "2229.25"},
        {"project": "AISS-2026R1-00042", "period": "2026-11", "gpu_type": "A100",
         "hours": "40.00", "list_amount": "740.00"},
    ],
}
EXAMPLE_RESULT = {
    "id": 17, "reference": "AISC-2026-11-0042",
    "organisation": {"id": 42, "br_number": "27182818", "name_en": "Kowloon Vision Limited"},
    "period": "2026-11", "source": "api", "received_at": "2026-12-02T10:15:00+08:00",
    "duplicate": False,
    "totals": {"lines": 2, "hours": "160.50", "list_amount": "2969.25",
               "subsidy_amount": "2078.48", "company_amount": "890.77",
               "excess_amount": "0.00"},
    "lines": [
        {"line": 1, "project": "AISS-2026R1-00042", "gpu_type": "H800", "hours": "120.50",
         "list_amount": "2229.25", "subsidy_amount": "1560.48", "company_amount": "668.77",
         "excess_amount": "0.00"},
        {"line": 2, "project": "AISS-2026R1-00042", "gpu_type": "A100", "hours": "40.00",
         "list_amount": "740.00", "subsidy_amount": "518.00", "company_amount": "222.00",
         "excess_amount": "0.00"},
    ],
}


def problems_by_path(problems: list[Problem]) -> dict[str, list[str]]:
    """A rejected statement's problems under the path of the value in the body (``lines.2.
    hours`` for the third line's hours), each message starting with its line number."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.line:
            path = ".".join(filter(None, ["lines", str(problem.line - 1), problem.column]))
        else:
            path = problem.column or "non_field_errors"
        errors.setdefault(path, []).append(str(problem))
    return errors


def _numbered(errors: dict) -> dict:
    """The input serializer's errors, each line's messages starting with its number too."""
    def numbered(index, messages):
        if not isinstance(index, int):  # the list as a whole (empty, too long)
            return messages
        return [str(Problem(index + 1, str(message))) for message in messages]

    lines = errors.get("lines")
    if isinstance(lines, dict):  # {index: {field: [message, ...]} or [message, ...]}
        errors = {**errors, "lines": {
            index: ({name: numbered(index, messages) for name, messages in row.items()}
                    if isinstance(row, dict) else numbered(index, row))
            for index, row in lines.items()}}
    return errors


class AiscView(DeclaredQueryParameters, APIView):
    required_scopes = AISC_STATEMENTS
    permission_classes = [HasRequiredScopes, AiscKeyOnly]


def _answer(statement, *, duplicate: bool, status_code: int) -> Response:
    return Response(StatementResultSerializer(
        statement_representation(statement, duplicate=duplicate)).data, status=status_code)


@extend_schema(tags=["aisc"])
class StatementReceive(IdempotentWritesMixin, AiscView):
    """A company's usage statement for one month, from the AI Supercomputing Centre. It is
    checked whole: one bad line refuses it all (400, each problem under the path of the
    value at fault, its message starting with the line's number) and nothing is posted.
    Otherwise every line draws hours x list rate x the grant's ratio from the grant's
    allocation, capped at what is left of it, and the answer says what each line drew and
    the excess (201). The same statement sent again (the same reference and lines) posts
    nothing and answers what was posted the first time, with ``duplicate: true`` (200); a
    different statement with the reference of one already received for that company and
    month is refused (422, ``duplicate_statement``)."""

    @extend_schema(
        request=StatementInputSerializer,
        responses={201: StatementResultSerializer, 200: StatementResultSerializer},
        parameters=[SIGNATURE_PARAMETER, IDEMPOTENCY_KEY_PARAMETER],
        examples=[OpenApiExample("A statement of two lines", value=EXAMPLE_STATEMENT,
                                 request_only=True),
                  OpenApiExample("Posted", value=EXAMPLE_RESULT, response_only=True,
                                 status_codes=["201"])])
    def post(self, request):
        data = StatementInputSerializer(data=request.data)
        if not data.is_valid():
            raise exceptions.ValidationError(_numbered(data.errors))
        # The lines as sent (text, checked to be of the schema's shape), for the service.
        statement = statement_from_api(reference=data.validated_data["reference"],
                                       lines=request.data["lines"])
        try:
            received = statement_receive(statement=statement, actor=request.user,
                                         api_key=request.auth,
                                         idempotency_key=request.headers.get(
                                             "Idempotency-Key", ""))
        except StatementRejected as rejected:
            raise exceptions.ValidationError(problems_by_path(rejected.problems)) from None
        except StatementDuplicate as duplicate:
            if not duplicate.same_content:
                raise
            return _answer(selectors.statement_result(duplicate.statement.pk), duplicate=True,
                           status_code=status.HTTP_200_OK)
        return _answer(selectors.statement_result(received.pk), duplicate=False,
                       status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["aisc"])
class StatementDetail(AiscView):
    """A statement as posted: its company and month, its totals and each line's subsidy
    drawn, the company's share and the excess over the allocation."""

    @extend_schema(responses=StatementResultSerializer, parameters=[SIGNATURE_PARAMETER],
                   examples=[OpenApiExample("Posted", value=EXAMPLE_RESULT)])
    def get(self, request, statement_id):
        statement = selectors.statement_result(statement_id)
        if statement is None:
            raise Http404
        return _answer(statement, duplicate=False, status_code=status.HTTP_200_OK)
