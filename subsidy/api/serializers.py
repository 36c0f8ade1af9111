"""What every API input serializer shares: only the fields the endpoint takes, each of the
JSON type the schema gives it, and amounts as the schema's pattern describes them."""

import re
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.settings import api_settings

# A non-negative amount with at most two decimals, digits only (no sign, exponent,
# grouping or spaces): what the schema says and what is accepted are the same thing.
AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": AMOUNT_PATTERN,
                      "example": "1000000.00"})
class AmountField(serializers.DecimalField):
    """A decimal sent as a JSON string of ``AMOUNT_PATTERN``; ``maximum`` is the largest
    value the rule behind it takes."""

    default_error_messages = {
        "pattern": gettext_lazy("Send the amount as a string of digits with at most two "
                                "decimals, for example \"1000000.00\"."),
    }

    def __init__(self, *, maximum: Decimal | None = None, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        if maximum is not None:
            kwargs["max_value"] = maximum
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(AMOUNT_PATTERN, data, re.ASCII):
            self.fail("pattern")
        return super().to_internal_value(data)


def _json_type_problem(field: serializers.Field, value) -> str | None:
    """Why ``value`` is not of the JSON type the schema gives ``field`` (``None`` when it
    is): a number is not text, a string is not a boolean, and so on."""
    if value is None:
        return None  # the field's own allow_null decides
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Send true or false.")
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else _("Send a whole number.")
    if isinstance(field, serializers.ChoiceField | serializers.CharField |
                  serializers.DateField | serializers.DateTimeField |
                  serializers.DecimalField | serializers.UUIDField):
        return None if isinstance(value, str) else _("Send a string.")
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        return None if isinstance(value, list) else _("Send a list.")
    if isinstance(field, serializers.Serializer):
        return None if isinstance(value, dict) else _("Send an object.")
    return None


class KnownFieldsOnly:
    """Strict input. A body that names a field the endpoint does not take is refused (400,
    with that name in ``errors``) instead of the field being dropped: a misspelt name would
    otherwise look saved. In a JSON body each value must also be of the field's JSON type
    (``{"title": 123}`` is refused, not saved as ``"123"``). Nested rows that use this mixin
    are checked the same way, and every problem is reported at once."""

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, dict):
            for name in sorted(set(data) - set(self.fields)):
                errors[name] = [_("This field is not part of the request; check its name.")]
            if not isinstance(data, QueryDict):  # multipart form values are all text
                for name, field in self.fields.items():
                    if name in data and not field.read_only:
                        problem = _json_type_problem(field, data[name])
                        if problem:
                            errors[name] = [problem]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors:
                raise
            detail = (exc.detail if isinstance(exc.detail, dict)
                      else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail})
            raise serializers.ValidationError({**detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value


class QueryFilters:
    """Query parameters of a list: a parameter sent empty (``?updated_since=``) is refused
    like any other value its field does not take, not read as if it were absent."""

    def to_internal_value(self, data):
        blank = {name: [_("This field may not be blank.")] for name, field in self.fields.items()
                 if name in data and data.get(name) == ""
                 and not getattr(field, "allow_blank", False)}
        if blank:
            raise serializers.ValidationError(blank)
        return super().to_internal_value(data)
