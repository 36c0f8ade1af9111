"""Input and output shapes of the REST API (``subsidy.api``)."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from subsidy.models import FundingRound, WebhookDelivery, WebhookEndpoint, WebhookEventType


class KnownFieldsOnly:
    """A write whose body names a field the endpoint does not take is refused (400, with
    that name in ``errors``) instead of the field being dropped: a misspelt name would
    otherwise look saved."""

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({
                    name: [_("This field is not part of the request; check its name.")]
                    for name in unknown})
        return super().validate(attrs)


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


class RoundFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FundingRound.Status.choices, required=False)


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "event_types", "active", "created_at", "updated_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """Returned once, on creation: the signing secret is not shown again."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookEndpointInputSerializer(KnownFieldsOnly, serializers.Serializer):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEventType.choices), allow_empty=False)
    active = serializers.BooleanField(default=True)


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event_id", "event_type", "status", "attempts", "last_response_code",
                  "last_error", "created_at", "last_attempt_at", "next_attempt_at",
                  "delivered_at", "redelivery_of", "payload"]
