"""The OpenAPI schema: every operation's error responses, validators and headers.

The views share their behaviour through the error handler, `ConditionalReadMixin`,
`RecordWriteMixin`, the authentication and the throttles, so the schema adds what
those do to every operation here, once, instead of on each view.
"""

from drf_spectacular import openapi
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

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
    415: _error("The body is not JSON (or form data)."),
    428: _error("The write sent neither If-Match nor a revision in the body."),
    429: _error("Too many requests: wait for the number of seconds in Retry-After."),
}


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

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
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
        responses = super().get_response_serializers()
        if isinstance(self.view, RecordWriteMixin) and self.method in {
            "POST",
            "PUT",
            "PATCH",
        }:
            # Writes answer with the record as a read shows it.
            responses = self.view.serializer_class
        if not isinstance(responses, dict):
            if self.method == "DELETE":
                code = 204
            elif self._is_create_operation():
                code = 201
            else:
                code = 200
            responses = {code: None if code == 204 else responses}
        else:
            responses = dict(responses)
        codes = [401, 403, 404, 429]
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += [400, 409, 415]
        elif self.method == "GET" and getattr(self.view, "filterset_class", None):
            codes += [400]
        if self._writes():
            codes += [412, 428]
        if self.method == "DELETE":
            codes += [409]
        for code in sorted(codes):
            responses.setdefault(code, ERRORS[code])
        if self._conditional_read():
            responses.setdefault(
                304,
                OpenApiResponse(
                    description="Not modified: the validator still holds; no body."
                ),
            )
        return responses
