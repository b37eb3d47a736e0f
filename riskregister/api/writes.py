"""Create, update and archive through the API, with the services the pages use.

Input serializers check types and shapes only; everything else is the model's
validation, run by the service (`risks.services.record_*`), so a form and an API
call refuse the same things with the same messages.
"""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from riskregister.api.conditional import IfMatchMixin
from riskregister.api.unknown_fields import UnknownFieldsRefusedMixin
from risks.services import record_archive, record_create, record_update


class RevisionField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("required", False)
        kwargs.setdefault("write_only", True)
        kwargs.setdefault(
            "help_text",
            "The revision the change is based on; instead of, or as well as, an "
            "If-Match header with the record's ETag. A different revision gives 412.",
        )
        super().__init__(**kwargs)


class StrictCharField(serializers.CharField):
    """Text that must be sent as a JSON string: 123 or true is refused, not stored."""

    default_error_messages = {"not_a_string": "Must be text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class RecordInputSerializer(UnknownFieldsRefusedMixin, serializers.ModelSerializer):
    """An input shape: refuses unknown fields and hands values to a service.

    `Meta.fixed_fields` names fields that a record takes only at creation; sending
    one to an update gets a message that says so. Update shapes declare a
    `revision` field.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    def record_values(self):
        """The validated values as the service takes them: fields and many-to-many."""
        model = self.Meta.model
        fields, m2m = {}, {}
        for name, value in self.validated_data.items():
            if name == "revision":
                continue
            many = model._meta.get_field(name).many_to_many
            (m2m if many else fields)[name] = value
        return fields, m2m


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 7})
class LevelValueField(serializers.IntegerField):
    """A likelihood or impact given by its value on the register's scale."""


def level_for(levels, value, label):
    """The scale level with `value`, or a validation error listing the values."""
    found = {level.value: level for level in levels}
    if value not in found:
        values = ", ".join(str(known) for known in sorted(found))
        raise serializers.ValidationError(
            f"Choose a {label} of this register's scale: {values}.",
            code="invalid_choice",
        )
    return found[value]


class RecordWriteMixin(IfMatchMixin):
    """POST creates, PUT and PATCH update, DELETE archives (it can be restored).

    Set `create_serializer_class` and `update_serializer_class`; responses use
    the read serializer, `serializer_class`.
    """

    create_serializer_class = None
    update_serializer_class = None

    def get_serializer_class(self):
        if self.action == "create":
            return self.create_serializer_class
        if self.action in {"update", "partial_update"}:
            return self.update_serializer_class
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        fields, m2m = serializer.record_values()
        instance = record_create(
            model=serializer.Meta.model, user=request.user, fields=fields, m2m=m2m
        )

        return self.record_response(instance, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        revision = self.checked_revision(
            instance, serializer.validated_data.get("revision")
        )

        fields, m2m = serializer.record_values()
        record_update(
            instance=instance,
            user=request.user,
            revision=revision,
            fields=fields,
            m2m=m2m,
        )

        return self.record_response(instance, status.HTTP_200_OK)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        revision = self.checked_revision(instance)

        record_archive(instance=instance, user=request.user, revision=revision)

        return Response(status=status.HTTP_204_NO_CONTENT)

    def record_response(self, instance, code):
        """The record as a read returns it, with its new ETag."""
        fresh = self.get_queryset().get(pk=instance.pk)
        data = self.serializer_class(fresh, context=self.get_serializer_context()).data
        response = Response(data, status=code)
        self.record_validators(self.record_state(pk=instance.pk)).apply(response)
        if code == status.HTTP_201_CREATED:
            # A plain str: WSGI servers refuse the Hyperlink subclass DRF returns.
            response["Location"] = str(data["url"])
        return response
