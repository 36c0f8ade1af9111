"""The partner API's grant of an application: its status, amounts and, once closed, its
closure (outcome, reason, what was paid and released)."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from applicants.api.views import APPLICATIONS_READ, REFERENCE_PARAMETER, PartnerView
from subsidy.closure.models import GrantClosure
from subsidy.closure.services.closing import closure_representation
from subsidy.scheme.ledger import grant_paid
from subsidy.scheme.models import Grant


class ClosureSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=GrantClosure.Outcome.values)
    reason = serializers.CharField(help_text="The reason of a termination; empty otherwise.")
    closed_at = serializers.DateTimeField()
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    released_commitment = serializers.DecimalField(max_digits=14, decimal_places=2)
    released_compute = serializers.DecimalField(max_digits=14, decimal_places=2)
    recoveries_raised = serializers.DecimalField(max_digits=14, decimal_places=2)


class GrantSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Grant.Status.values)
    approved_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    approved_ratio_percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    activated_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    closure = ClosureSerializer(allow_null=True, help_text=(
        "Once the grant is completed or terminated: how it closed; null before."))


def grant_representation(grant: Grant) -> dict:
    closure = GrantClosure.objects.filter(grant=grant).first()
    return {"status": grant.status, "approved_amount": str(grant.approved_amount),
            "approved_ratio_percent": str(grant.approved_ratio_percent),
            "paid_amount": str(grant_paid(grant_id=grant.pk)),
            "activated_at": grant.activated_at, "closed_at": grant.closed_at,
            "closure": closure_representation(closure) if closure else None}


@extend_schema(tags=["applications"], parameters=[REFERENCE_PARAMETER],
               responses=GrantSerializer)
class ApplicationGrant(PartnerView, generics.GenericAPIView):
    """The grant of an approved application: its status, approved amount and ratio, what was
    paid, and once it closed, its closure. 404 while the application has no grant."""

    required_scopes = APPLICATIONS_READ
    serializer_class = GrantSerializer

    def get(self, request, reference):
        return Response(GrantSerializer(grant_representation(self.application_grant())).data)
