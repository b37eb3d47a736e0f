"""HTTP responses for exports, shared by the pages and the API."""

import json
import logging

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from risks.exports.common import CONTENT_TYPES, export_filename
from risks.exports.document import register_to_document
from risks.exports.printing import register_to_pdf
from risks.exports.tabular import csv_lines
from risks.exports.workbook import register_to_workbook

logger = logging.getLogger(__name__)

FORMATS = ("xlsx", "csv", "json", "pdf")


def export_response(scope, file_format, *, request=None):
    """The file of `scope` in `file_format`, as a download named by the register.

    JSON is always the whole register, whatever the filters: it is the form a
    register is recreated from.
    """
    register = scope.register
    filename = export_filename(register, file_format)
    if file_format == "csv":
        response = StreamingHttpResponse(
            csv_lines(register, scope.subrisks), content_type=CONTENT_TYPES["csv"]
        )
    else:
        if file_format == "xlsx":
            content = register_to_workbook(
                register, scope.subrisks, areas=scope.areas, filters=scope.filters
            )
        elif file_format == "pdf":
            content = register_to_pdf(
                register,
                scope.subrisks,
                areas=scope.areas,
                filters=scope.filters,
                request=request,
            )
        else:
            document = register_to_document(register)
            content = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    logger.info(
        "Exported %s as %s%s",
        register.reference,
        file_format,
        " (filtered)" if scope.partial and file_format != "json" else "",
    )
    return response
