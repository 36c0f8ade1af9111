"""Input and output shapes of the rounds API."""

from rest_framework import serializers

from subsidy.api.serializers import QueryFilters
from subsidy.scheme.models import FundingRound


class RubricCriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_en = serializers.CharField()
    name_zh = serializers.CharField(default="")
    weight = serializers.IntegerField(help_text="Percent of the total score.")


class RoundRubricSerializer(serializers.Serializer):
    criteria = RubricCriterionSerializer(many=True, source="rubric")
    score_scale_max = serializers.IntegerField(
        help_text="Each criterion is scored from 0 to this value.")


class RoundRulesSerializer(serializers.Serializer):
    max_subsidy_per_project = serializers.DecimalField(max_digits=14, decimal_places=2,
                                                       help_text="HKD.")
    max_ratio_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2,
        help_text="Maximum subsidy as a percentage of the total eligible project cost.")
    eligible_categories = serializers.ListField(child=serializers.CharField())
    required_documents = serializers.ListField(child=serializers.CharField())
    gpu_hour_rate = serializers.DecimalField(
        max_digits=14, decimal_places=2,
        help_text="AI Supercomputing Centre list rate per GPU-hour, HKD.")
    reviewers_per_application = serializers.IntegerField()


class RoundSerializer(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    currency = serializers.SerializerMethodField()
    accepting_submissions = serializers.SerializerMethodField()
    rules = RoundRulesSerializer(source="*")
    rubric = RoundRubricSerializer(source="*")

    class Meta:
        model = FundingRound
        fields = ["code", "scheme", "title_en", "title_zh", "status", "opens_at", "closes_at",
                  "accepting_submissions", "currency", "envelope", "rules", "rubric"]

    def get_currency(self, obj) -> str:
        return "HKD"

    def get_accepting_submissions(self, obj) -> bool:
        return obj.is_accepting_submissions()


class RoundFilterSerializer(QueryFilters, serializers.Serializer):
    status = serializers.ChoiceField(choices=FundingRound.Status.choices, required=False)
