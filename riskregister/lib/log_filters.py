"""Logging filters with no domain meaning."""

import logging


class ClientErrorWithoutTraceback(logging.Filter):
    """Drops the traceback from a `django.request` record of a 4xx response.

    A 403 or 404 raised by a view is an ordinary answer, not a fault: one warning
    line says it happened. Server errors (5xx) keep their traceback.
    """

    def filter(self, record):
        status_code = getattr(record, "status_code", None)
        if status_code is not None and status_code < 500:
            record.exc_info = None
            record.exc_text = None
        return True
