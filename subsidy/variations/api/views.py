"""The partner API's view of a grant's variations: each request with the changes it asks,
who decides it, and its decision. Read-only: the company's owner asks on its grant page."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from applicants.api.views import APPLICATIONS_READ, REFERENCE_PARAMETER, PartnerView
from subsidy.scheme.models import Grant
from subsidy.variations.models import Variation

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


class _GrantVariations(PartnerView, generics.GenericAPIView):
    required_scopes = APPLICATIONS_READ
    serializer_class = VariationSerializer
    pagination_class = None

    def variations(self):
        grant = Grant.objects.filter(application=self.application(parts=False)).first()
        if grant is None:
            raise Http404
        return (Variation.objects.filter(grant=grant)
                .prefetch_related("milestone_changes", "budget_moves__from_line",
                                  "budget_moves__to_line").order_by("number"))


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER],
               responses=VariationSerializer(many=True))
class VariationList(_GrantVariations):
    """The variations of the application's grant, oldest first. 404 while it has no grant."""

    def get(self, request, reference):
        return Response(VariationSerializer(self.variations(), many=True).data)


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
