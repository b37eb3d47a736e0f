"""One error shape for the whole API, so no bad input becomes a 500.

Every error response has the body ``{"errors": [{"field", "message", "code"}]}``:
one item per problem, `field` naming the body field or query parameter at fault
(dotted for nested values, e.g. ``references.0``) or null when the problem is the
request as a whole (authentication, permission, a missing record, a stale write).
"""

import logging

from django.conf import settings
from django.core.exceptions import (
    NON_FIELD_ERRORS,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from risks.services import StaleRevisionError

logger = logging.getLogger(__name__)

_WHOLE_REQUEST = {NON_FIELD_ERRORS, api_settings.NON_FIELD_ERRORS_KEY, "detail"}


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The body is too large."
    default_code = "too_large"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "Send If-Match with the record's ETag, or its revision in the body, to "
        "change it."
    )
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record has been changed since you read it."
    default_code = "stale"


def error_items(detail, field=None):
    """Flattens DRF error details into the API's list of error items."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            name = None if key in _WHOLE_REQUEST else str(key)
            path = f"{field}.{name}" if field and name else field or name
            items.extend(error_items(value, path))
        return items
    if isinstance(detail, list):
        return [item for value in detail for item in error_items(value, field)]
    code = getattr(detail, "code", None) or "invalid"
    return [{"field": field, "message": str(detail), "code": code}]


def errors_body(*items):
    """The body of an error response made outside the exception handler."""
    return {"errors": list(items)}


def _from_django(error):
    if not hasattr(error, "error_dict"):
        return {
            NON_FIELD_ERRORS: [
                ErrorDetail(message, code=item.code or "invalid")
                for item in error.error_list
                for message in item.messages
            ]
        }
    return {
        field: [
            ErrorDetail(message, code=item.code or "invalid")
            for item in items
            for message in item.messages
        ]
        for field, items in error.error_dict.items()
    }


def exception_handler(exc, context):
    """Maps Django's own exceptions to DRF errors and renders the one error shape."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_from_django(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, StaleRevisionError):
        exc = PreconditionFailed(str(exc))
    elif isinstance(exc, RequestDataTooBig):
        exc = BodyTooLarge(
            f"The body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} "
            "bytes this server accepts."
        )
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError(
            f"The body has more than the {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} "
            "fields this server accepts."
        )
    elif isinstance(exc, SuspiciousOperation):
        # Too many files, a malformed multipart body and the like.
        exc = exceptions.ParseError(str(exc) or "The request cannot be read.")
    elif isinstance(exc, IntegrityError):
        logger.warning("Write refused by a database constraint: %s", exc)
        return Response(
            errors_body(
                {
                    "field": None,
                    "message": "The change conflicts with existing data.",
                    "code": "conflict",
                }
            ),
            status=status.HTTP_409_CONFLICT,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        # A fault of ours, not of the request: logged with its traceback, and
        # answered in the API's error shape rather than as a page of HTML.
        logger.error("API request failed", exc_info=(type(exc), exc, exc.__traceback__))
        return Response(
            errors_body(
                {
                    "field": None,
                    "message": "The server could not answer this request; the "
                    "failure has been logged.",
                    "code": "server_error",
                }
            ),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    response.data = errors_body(*error_items(exc.detail))
    return response
