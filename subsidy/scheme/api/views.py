"""REST API v1: the scheme's funding rounds, open to any partner key with ``rounds:read``."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from subsidy.scheme import selectors
from subsidy.scheme.api.serializers import RoundFilterSerializer, RoundSerializer

ROUNDS_READ = ["rounds:read"]


class RoundList(generics.ListAPIView):
    """Funding rounds with their rules, rubric, dates and envelope, newest first."""

    required_scopes = ROUNDS_READ
    serializer_class = RoundSerializer
    cursor_ordering = ("-opens_at", "-id")

    def get_queryset(self):
        filters = RoundFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        rounds = selectors.rounds_with_budget_position()
        if "status" in filters.validated_data:
            rounds = rounds.filter(status=filters.validated_data["status"])
        return rounds

    @extend_schema(parameters=[RoundFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class RoundDetail(generics.RetrieveAPIView):
    required_scopes = ROUNDS_READ
    serializer_class = RoundSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.rounds_with_budget_position()
