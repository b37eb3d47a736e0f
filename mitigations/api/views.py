"""Read-only endpoints for mitigations."""

from mitigations.api.filters import MitigationFilter
from mitigations.api.serializers import MitigationSerializer
from mitigations.models import Mitigation
from riskregister.api.viewsets import ReferenceViewSet


class MitigationViewSet(ReferenceViewSet):
    """Live current and proposed mitigations, with the live sub-risks they address."""

    serializer_class = MitigationSerializer
    filterset_class = MitigationFilter

    def get_queryset(self):
        return Mitigation.objects.for_api()
