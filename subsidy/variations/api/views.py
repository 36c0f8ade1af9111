"""The partner API's view of a grant's variations: each request with the changes it asks,
who decides it, and its decision. A partner linked to the company may also ask for a
variation on its behalf (POST), through the same service and checks as the owner's page."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from applicants.api.views import (
    APPLICATIONS_READ,
    READ_OR_WRITE,
    REFERENCE_PARAMETER,
    PartnerView,
)
from applicants.errors import ProblemsError
from applicants.models import BudgetLine, Milestone
from subsidy.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, IdempotentWritesMixin
from subsidy.api.serializers import KnownFieldsOnly
from subsidy.variations.models import Variation
from subsidy.variations.services.proposal import BudgetMoveInput, MilestoneEdit, VariationInput
from subsidy.variations.services.requests import variation_request

MONEY = {"max_digits": 14, "decimal_places": 2}


class MilestoneChangeSerializer(serializers.Serializer):
    old_deliverable = serializers.CharField()
    old_due_date = serializers.DateField()
    new_deliverable = serializers.CharField(help_text="Empty when the deliverable stays.")
    new_due_date = serializers.DateField(allow_null=True)


class BudgetMoveSerializer(serializers.Serializer):
    from_line = serializers.CharField(source="from_line.description")
    to_line = serializers.CharField(source="to_line.description")
    amount = serializers.DecimalField(**MONEY)


class VariationSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Variation.Status.values)
    decider = serializers.ChoiceField(choices=Variation.Decider.values, help_text=(
        "Who decides: the programme officer, or the panel (any increase, or above the "
        "round's threshold)."))
    reason = serializers.CharField()
    new_start_date = serializers.DateField(allow_null=True)
    new_end_date = serializers.DateField(allow_null=True)
    old_amount = serializers.DecimalField(**MONEY)
    new_amount = serializers.DecimalField(allow_null=True, **MONEY)
    milestone_changes = MilestoneChangeSerializer(many=True, source="milestone_changes.all")
    budget_moves = BudgetMoveSerializer(many=True, source="budget_moves.all")
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()
    agreement_version = serializers.IntegerField(allow_null=True, help_text=(
        "The version of the grant agreement that records an approved variation."))


class MilestoneEditInputSerializer(KnownFieldsOnly, serializers.Serializer):
    milestone = serializers.IntegerField(min_value=0, help_text=(
        "The milestone's position in the application's `milestones`, from 0."))
    due_date = serializers.DateField(required=False, allow_null=True, default=None)
    deliverable = serializers.CharField(required=False, allow_blank=True, default="",
                                        max_length=300)


class BudgetMoveInputSerializer(KnownFieldsOnly, serializers.Serializer):
    from_line = serializers.IntegerField(min_value=0, help_text=(
        "The position, from 0, in the application's `budget_lines` of the line the money "
        "leaves."))
    to_line = serializers.IntegerField(min_value=0, help_text=(
        "The position, from 0, of the line the money goes to."))
    amount = serializers.DecimalField(**MONEY)


class VariationRequestSerializer(KnownFieldsOnly, serializers.Serializer):
    """What the company asks to change; whatever is left out stays as it is."""

    reason = serializers.CharField(max_length=4000, allow_blank=True,
                                   help_text="Why the grant needs to change (required).")
    new_start_date = serializers.DateField(required=False, allow_null=True, default=None)
    new_end_date = serializers.DateField(required=False, allow_null=True, default=None)
    new_amount = serializers.DecimalField(required=False, allow_null=True, default=None,
                                          help_text=("The new total subsidy in HKD, larger "
                                                     "or smaller."), **MONEY)
    milestones = MilestoneEditInputSerializer(many=True, required=False, default=list,
                                              max_length=50)
    budget_moves = BudgetMoveInputSerializer(many=True, required=False, default=list,
                                             max_length=3)


REQUEST_EXAMPLES = [
    OpenApiExample("A later end date", request_only=True, value={
        "reason": "The pilot clinics start three months later than planned.",
        "new_end_date": "2028-03-31"}),
    OpenApiExample("A milestone moved, money moved and a smaller amount", request_only=True,
                   value={"reason": "The data licence costs less; the second milestone "
                                    "needs another month.",
                          "milestones": [{"milestone": 1, "due_date": "2027-10-31"}],
                          "budget_moves": [{"from_line": 0, "to_line": 1,
                                            "amount": "20000.00"}],
                          "new_amount": "950000.00"}),
]


def _by_position(rows: list, position: int):
    return rows[position].pk if position < len(rows) else 0


def _problem_paths(problems, milestones: list):
    """The service's problems named by the API's paths: a milestone's by its position."""
    positions = {f"milestone-{m.pk}-": f"milestones-{index}-"
                 for index, m in enumerate(milestones)}
    renamed = []
    for field, message in problems:
        for prefix, path in positions.items():
            if field and field.startswith(prefix):
                field = path + field[len(prefix):]
                break
        if field and field.startswith("move-"):
            field = "budget_moves" + field[len("move"):]
        renamed.append((field, message))
    return renamed


class _GrantVariations(PartnerView, generics.GenericAPIView):
    required_scopes = APPLICATIONS_READ
    serializer_class = VariationSerializer
    pagination_class = None

    def variations(self, grant=None):
        return (Variation.objects.filter(grant=grant or self.application_grant())
                .prefetch_related("milestone_changes", "budget_moves__from_line",
                                  "budget_moves__to_line").order_by("number"))


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER])
class VariationList(IdempotentWritesMixin, _GrantVariations):
    """The variations of the application's grant, oldest first. 404 while it has no grant.
    POST asks for a variation on the company's behalf: checked whole, as on the owner's
    page (400 with every problem, by field); 422 while another request of the grant waits
    for its decision, or when the grant cannot be varied (not signed, or closed)."""

    required_scopes = READ_OR_WRITE

    @extend_schema(responses=VariationSerializer(many=True))
    def get(self, request, reference):
        return Response(VariationSerializer(self.variations(), many=True).data)

    @extend_schema(request=VariationRequestSerializer, responses={201: VariationSerializer},
                   parameters=[IDEMPOTENCY_KEY_PARAMETER], examples=REQUEST_EXAMPLES)
    def post(self, request, reference):
        shape = VariationRequestSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        grant = self.application_grant()
        data = shape.validated_data
        milestones = list(Milestone.objects.filter(application_id=grant.application_id))
        lines = list(BudgetLine.objects.filter(application_id=grant.application_id))
        asked = VariationInput(
            reason=data["reason"], new_start_date=data["new_start_date"],
            new_end_date=data["new_end_date"], new_amount=data["new_amount"],
            milestones=tuple(MilestoneEdit(
                milestone_id=_by_position(milestones, edit["milestone"]),
                due_date=edit["due_date"], deliverable=edit["deliverable"])
                for edit in data["milestones"]),
            budget_moves=tuple(BudgetMoveInput(
                from_line_id=_by_position(lines, move["from_line"]),
                to_line_id=_by_position(lines, move["to_line"]), amount=move["amount"])
                for move in data["budget_moves"]))
        try:
            variation = variation_request(actor=request.user, grant=grant, data=asked,
                                          partner=self.partner())
        except ProblemsError as exc:
            raise ProblemsError(_problem_paths(exc.problems, milestones),
                                code=exc.code) from exc
        return Response(VariationSerializer(self.variations(grant).get(pk=variation.pk)).data,
                        status=status.HTTP_201_CREATED)


@extend_schema(tags=["applications"], responses=VariationSerializer, parameters=[
    REFERENCE_PARAMETER,
    OpenApiParameter("number", int, OpenApiParameter.PATH,
                     description="The variation's number within its grant.")])
class VariationDetail(_GrantVariations):
    """One variation of the application's grant, by its number."""

    def get(self, request, reference, number):
        variation = self.variations().filter(number=number).first()
        if variation is None:
            raise Http404
        return Response(VariationSerializer(variation).data)
