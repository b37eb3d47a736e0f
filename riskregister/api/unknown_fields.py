"""Input shapes refuse fields they do not know, naming each one.

A misspelt or stale field name would otherwise be dropped without a word and the
client would believe it had been stored. Nested shapes refuse theirs too, so the
error handler names them dotted, e.g. ``likelihood_levels.0.extra``. An object
given for a list of related records is refused too: DRF would read it as the
list of its keys.
"""

from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail


def unknown_field_errors(data, known, fixed=()):
    """{name: [error]} for every key of `data` that is not in `known`, by name.

    A name in `fixed` is a field the record took at creation and keeps; it is
    refused with its own code, fixed_field, and a message that says so.
    """
    errors = {}
    for name in sorted(set(data) - set(known)):
        if name in fixed:
            message = ErrorDetail(
                "Cannot be changed once the record exists: it is part of its "
                "reference.",
                code="fixed_field",
            )
        else:
            message = ErrorDetail("Unknown field.", code="unknown_field")
        errors[name] = [message]
    return errors


def objects_for_lists_errors(data, fields):
    """{name: [error]} for every list of related records given as an object."""
    errors = {}
    for name, field in fields.items():
        value = data.get(name)
        if isinstance(field, serializers.ManyRelatedField) and isinstance(
            value, Mapping
        ):
            message = field.error_messages["not_a_list"].format(
                input_type=type(value).__name__
            )
            errors[name] = [ErrorDetail(message, code="not_a_list")]
    return errors


class UnknownFieldsRefusedMixin:
    """For a serializer: a key that is not one of its fields is an error, as is
    an object where a list of related records belongs.

    These are named together with the other fields' errors, so one
    answer lists every problem of the body. `Meta.fixed_fields`, if the
    serializer has it, names the fields refused as fixed rather than unknown.
    """

    def to_internal_value(self, data):
        refused = {}
        if isinstance(data, Mapping):
            fixed = getattr(getattr(self, "Meta", None), "fixed_fields", ())
            refused = {
                **unknown_field_errors(data, self.fields, fixed),
                **objects_for_lists_errors(data, self.fields),
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**error.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value
