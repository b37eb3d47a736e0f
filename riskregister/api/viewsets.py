"""The base for the API's read-only endpoints."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets

from riskregister.api.conditional import ConditionalReadMixin


class ReferenceViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet):
    """Lists and shows records named by their stable reference, e.g. SRR-2017/2.b.

    References contain slashes and dots, so the lookup takes anything up to the
    query string. Ordering is one of each FilterSet's filters, which refuses
    unknown fields, so DRF's own ordering backend is not used here. Lists and
    details carry ETag and Last-Modified and answer a matching conditional GET
    with 304.
    """

    lookup_field = "reference"
    lookup_value_regex = r"[^?#]+"
    filter_backends = [DjangoFilterBackend]
