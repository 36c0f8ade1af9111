"""What every API input serializer shares."""

from django.utils.translation import gettext as _
from rest_framework import serializers


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
