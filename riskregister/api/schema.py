"""The OpenAPI schema: every operation's error responses, validators and headers.

The views share their behaviour through the error handler, `ConditionalReadMixin`,
`RecordWriteMixin`, the authentication and the throttles, so the schema adds what
those do to every operation here, once, instead of on each view. A view's own
`extend_schema(responses=...)` adds to these or replaces one; it never drops them.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

from riskregister.api.conditional import ConditionalReadMixin
from riskregister.api.writes import RecordWriteMixin


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="The body field or query parameter at fault, dotted for nested "
        "values (e.g. references.0); null when it is the request as a whole.",
    )
    message = serializers.CharField(help_text="What is wrong, in plain English.")
    code = serializers.CharField(
        help_text="A stable machine-readable code, e.g. required, invalid_choice, "
        "unknown_field, fixed_field, stale, precondition_required, throttled."
    )


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error response of the API."""

    errors = ErrorItemSerializer(many=True)


def _error(description):
    return OpenApiResponse(response=ErrorSerializer, description=description)


ERRORS = {
    400: _error(
        "A body field or query parameter is invalid, unknown or missing; each "
        "error names it."
    ),
    401: _error("No credentials, or an API token that is unknown or revoked."),
    403: _error("The user's role, or a read-only token's scope, does not allow this."),
    404: _error("No live record has this reference, or the page is past the end."),
    409: _error("The change conflicts with existing data."),
    412: _error(
        "If-Match or the body's revision is not the record's current one; nothing "
        "was changed. Read the record again and retry."
    ),
    413: _error("The body is larger than the server accepts."),
    415: _error("The body is not JSON (or form data)."),
    428: _error("The write sent neither If-Match nor a revision in the body."),
    429: _error("Too many requests: wait for the number of seconds in Retry-After."),
}


NOT_MODIFIED = OpenApiResponse(
    description="Not modified: the validator still holds; no body."
)

INT32 = (-(2**31), 2**31 - 1)


def _column_range(field):
    """The range of the integer column behind a model serializer's field, or None.

    As Django defines it for PostgreSQL: SQLite takes any 64-bit integer, and the
    schema must not depend on the database it happens to be generated with.
    """
    parent = getattr(field, "parent", None)
    model = getattr(getattr(parent, "Meta", None), "model", None)
    source = getattr(field, "source_attrs", ())
    if model is None or len(source) != 1:
        return None
    try:
        model_field = model._meta.get_field(source[0])
    except FieldDoesNotExist:
        return None
    if not isinstance(model_field, models.IntegerField):
        return None
    ranges = BaseDatabaseOperations.integer_field_ranges
    return ranges.get(model_field.get_internal_type())


def _header(name, description, **kwargs):
    return OpenApiParameter(
        name=name,
        location=OpenApiParameter.HEADER,
        type=OpenApiTypes.STR,
        description=description,
        **kwargs,
    )


class AutoSchema(openapi.AutoSchema):
    def _writes(self):
        return isinstance(self.view, RecordWriteMixin) and self.method in {
            "PUT",
            "PATCH",
            "DELETE",
        }

    def _conditional_read(self):
        return isinstance(self.view, ConditionalReadMixin) and self.method == "GET"

    def _negotiates_format(self):
        # DRF picks the renderer from `format` for every view that negotiates as
        # it does by default; the export's `format` names a file instead.
        negotiation = getattr(self.view, "content_negotiation_class", None)
        return (
            self.method == "GET"
            and negotiation is not None
            and issubclass(negotiation, DefaultContentNegotiation)
        )

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self._negotiates_format():
            parameters.append(
                OpenApiParameter(
                    api_settings.URL_FORMAT_OVERRIDE,
                    OpenApiTypes.STR,
                    enum=["json"],
                    description="The format of the answer: json, the default and "
                    "the only one for programs; the answer's links keep it. (`api` "
                    "gives the browsable API, an HTML page for people; any other "
                    "value gives 404.)",
                )
            )
        if self._conditional_read():
            parameters += [
                _header(
                    "If-None-Match",
                    "An ETag from an earlier response; if it still holds the answer "
                    "is 304 with no body.",
                ),
                _header(
                    "If-Modified-Since",
                    "An HTTP date; if nothing changed since, the answer is 304. "
                    "Ignored when If-None-Match is sent.",
                ),
                _header("ETag", "The validator of this response.", response=[200, 304]),
                _header(
                    "Last-Modified",
                    "When the data shown last changed.",
                    response=[200, 304],
                ),
            ]
        if self._writes():
            parameters += [
                _header(
                    "If-Match",
                    "The record's ETag from a read. Required, unless the body "
                    "carries the record's revision.",
                ),
                _header("ETag", "The record's new validator.", response=[200]),
            ]
        if isinstance(self.view, RecordWriteMixin) and self.method == "POST":
            parameters += [
                _header("ETag", "The new record's validator.", response=[201]),
                _header("Location", "The new record's URL.", response=[201]),
            ]
        parameters += [
            _header(
                "Retry-After", "Seconds to wait before trying again.", response=[429]
            ),
            _header("WWW-Authenticate", "How to authenticate: Bearer.", response=[401]),
        ]
        return parameters

    def get_response_serializers(self):
        if isinstance(self.view, RecordWriteMixin) and self.method in {
            "POST",
            "PUT",
            "PATCH",
        }:
            # Writes answer with the record as a read shows it.
            return self.view.serializer_class
        return super().get_response_serializers()

    def _error_codes(self):
        """The error statuses the shared behaviour can give this operation."""
        codes = [401, 403, 404, 429]
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += [400, 413, 415]
            if isinstance(self.view, RecordWriteMixin):
                # A record write can meet a database constraint (a taken number).
                codes += [409]
        elif self.method == "GET" and self._checks_query():
            codes += [400]
        if self._writes():
            codes += [412, 428]
        if self.method == "DELETE":
            codes += [409]
        return codes

    def _checks_query(self):
        """Whether a read refuses query parameters: a filter's, or a list's own."""
        filtered = getattr(self.view, "filterset_class", None) is not None and (
            DjangoFilterBackend in getattr(self.view, "filter_backends", ())
        )
        return filtered or getattr(self.view, "paginator", None) is not None

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        # Here rather than in get_response_serializers, which a view's
        # extend_schema(responses=...) replaces without calling.
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    ERRORS[code], str(code)
                )
        if self._conditional_read() and "304" not in responses:
            responses["304"] = self._get_response_for_code(NOT_MODIFIED, "304")
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        column = _column_range(field)
        if column is not None and schema.get("type") == "integer":
            low, high = column
            schema["minimum"] = max(schema.get("minimum", low), low)
            schema["maximum"] = min(schema.get("maximum", high), high)
            if INT32[0] <= low and high <= INT32[1]:
                schema.pop("format", None)
        return schema
