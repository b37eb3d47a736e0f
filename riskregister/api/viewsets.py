"""The base for the API's read-only endpoints."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

from riskregister.api.conditional import ConditionalReadMixin


def check_query_parameters(query_params, known, what="this list"):
    """Refuses a parameter not in `known`, or one given more than once.

    A typo would otherwise go unnoticed and answer with everything, and of a
    repeated parameter the last value would win, unchecked.
    """
    unknown = sorted(name for name in query_params if name not in known)
    if unknown:
        message = f"Unknown query parameter; {what} takes: " + ", ".join(sorted(known))
        raise ValidationError(
            {name: [message] for name in unknown}, code="unknown_field"
        )
    repeated = sorted(name for name, values in query_params.lists() if len(values) > 1)
    if repeated:
        raise ValidationError(
            {name: ["Give this parameter once."] for name in repeated}, code="repeated"
        )


class ReferenceViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Lists and shows records named by their stable reference, e.g. SRR-2017/2.b.

    References contain slashes and dots, so the lookup takes anything up to the
    query string. Ordering is one of each FilterSet's filters, which refuses
    unknown fields, so DRF's own ordering backend is not used here. Lists and
    details carry ETag and Last-Modified and answer a matching conditional GET
    with 304. A list refuses a query parameter it does not know, so a typo never
    returns the whole list unfiltered.
    """

    lookup_field = "reference"
    lookup_value_regex = r"[^?#]+"
    filter_backends = [DjangoFilterBackend]

    def query_parameters(self):
        """The query parameters this list understands."""
        names = {api_settings.URL_FORMAT_OVERRIDE}
        if self.paginator is not None:
            names |= self.paginator.query_parameters()
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None and DjangoFilterBackend in self.filter_backends:
            names |= set(filterset_class.base_filters)
        return names

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # A GET other than a record's detail is a list: `list` or an extra list.
        if request.method != "GET" or self.action == "retrieve":
            return
        if self.action != "list" and self.paginator is None:
            return
        check_query_parameters(request.query_params, self.query_parameters())
