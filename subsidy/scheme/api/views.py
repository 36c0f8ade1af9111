"""REST API v1: the scheme's funding rounds, open to any partner key with ``rounds:read``."""

from rest_framework import generics

from subsidy.api.query import DeclaredQueryParameters
from subsidy.scheme import selectors
from subsidy.scheme.api.serializers import RoundFilterSerializer, RoundSerializer

ROUNDS_READ = ["rounds:read"]


class RoundList(DeclaredQueryParameters, generics.ListAPIView):
    """Funding rounds with their rules, rubric, dates and envelope, newest first."""

    required_scopes = ROUNDS_READ
    serializer_class = RoundSerializer
    query_filters = RoundFilterSerializer
    cursor_ordering = ("-opens_at", "-id")

    def get_queryset(self):
        rounds = selectors.rounds_with_budget_position()
        if "status" in self.query:
            rounds = rounds.filter(status=self.query["status"])
        return rounds


class RoundDetail(DeclaredQueryParameters, generics.RetrieveAPIView):
    """One funding round, by its code."""

    required_scopes = ROUNDS_READ
    serializer_class = RoundSerializer
    lookup_field = "code"

    def get_queryset(self):
        return selectors.rounds_with_budget_position()
