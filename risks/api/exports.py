"""GET /api/v1/registers/<reference>/export/?format=xlsx|csv|json|pdf

The same files as the pages' export links, narrowed by the overview's query
parameters (rating, likelihood, impact, group, review, q) and by area. JSON is
always the whole register.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from riskregister.api.schema import ErrorSerializer
from riskregister.api.viewsets import check_query_parameters
from risks.exports.common import CONTENT_TYPES, ExportScope
from risks.exports.responses import FORMATS, export_response
from risks.models import Register, RiskArea
from risks.transfer_forms import ExportFilterForm


class ErrorsAsJson(BaseContentNegotiation):
    """Renders errors as JSON whatever `format` says: here `format` names the
    file to export, not a renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


def _filter_form(register, data):
    methodology = register.methodology
    areas = list(RiskArea.objects.for_register(register).active().order_by("number"))
    return ExportFilterForm(
        data or None,
        ratings=list(methodology.rating_levels.all()),
        likelihoods=list(methodology.likelihood_levels.all()),
        impacts=list(methodology.impact_levels.all()),
        groups=list(dict.fromkeys(area.group for area in areas if area.group)),
        areas=areas,
    )


FILE_DESCRIPTION = (
    "The file `format` asks for: xlsx, the Excel workbook, which can be imported "
    "back; csv, one row per sub-risk, UTF-8 with a byte order mark; pdf, the print "
    "view; json, the whole register as a register document "
    "(docs/register-format.md), to which the filters do not apply."
)


def _text(name, description):
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


class RegisterExportView(APIView):
    """A register as a file to download."""

    content_negotiation_class = ErrorsAsJson

    @extend_schema(
        operation_id="registers_export",
        parameters=[
            OpenApiParameter(
                "reference", OpenApiTypes.STR, OpenApiParameter.PATH, required=True
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=list(FORMATS),
                required=True,
                description="The file to export.",
            ),
            _text("rating", "Only sub-risks with this rating name."),
            OpenApiParameter(
                "likelihood", OpenApiTypes.INT, description="A likelihood value."
            ),
            OpenApiParameter(
                "impact", OpenApiTypes.INT, description="A settlement impact value."
            ),
            _text("group", "Only areas of this group."),
            _text("review", "'due' for sub-risks whose review is due."),
            _text("q", "Words in a sub-risk's description or its area's name."),
            OpenApiParameter("area", OpenApiTypes.INT, description="One area only."),
        ],
        responses={
            (200, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description=FILE_DESCRIPTION
            ),
            **{
                (200, CONTENT_TYPES[name].split(";")[0]): OpenApiResponse(
                    OpenApiTypes.BINARY, description=FILE_DESCRIPTION
                )
                for name in ("csv", "xlsx", "pdf")
            },
            # 401, 403, 404 and 429 are every operation's (riskregister.api.schema).
            400: OpenApiResponse(
                ErrorSerializer,
                description="`format` is missing or not one of the four, or a "
                "parameter is invalid, unknown or repeated; each error names it.",
            ),
        },
    )
    def get(self, request, reference):
        register = get_object_or_404(
            Register.objects.filter(archived_at__isnull=True).select_related(
                "methodology"
            ),
            reference=reference,
        )
        check_query_parameters(
            request.query_params,
            {"format", *ExportFilterForm.base_fields},
            what="the export",
        )
        file_format = request.query_params.get("format", "")
        if file_format not in FORMATS:
            raise ValidationError({"format": [f"Choose one of: {', '.join(FORMATS)}."]})
        filters = request.query_params.copy()
        filters.pop("format", None)
        form = _filter_form(register, filters)
        if form.is_bound and not form.is_valid():
            raise ValidationError(form.errors)
        if form.is_bound:
            scope = ExportScope.for_register(
                register,
                criteria=form.criteria(),
                area_number=form.cleaned_data["area"],
                filters=form.filter_labels(),
            )
        else:
            scope = ExportScope.for_register(register)
        return export_response(scope, file_format, request=request)
