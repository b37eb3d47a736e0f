"""Endpoints for mitigations: read, create, update and archive."""

from django.db.models import Max

from mitigations.api.filters import MitigationFilter
from mitigations.api.serializers import MitigationSerializer
from mitigations.api.write_serializers import (
    MitigationCreateSerializer,
    MitigationUpdateSerializer,
)
from mitigations.models import Mitigation
from riskregister.api.viewsets import ReferenceViewSet
from riskregister.api.writes import RecordWriteMixin


class MitigationViewSet(RecordWriteMixin, ReferenceViewSet):
    """Live current and proposed mitigations, with the live sub-risks they address."""

    serializer_class = MitigationSerializer
    create_serializer_class = MitigationCreateSerializer
    update_serializer_class = MitigationUpdateSerializer
    filterset_class = MitigationFilter

    def state_annotations(self):
        return {"subrisks_changed": Max("subrisks__updated_at")}

    def get_queryset(self):
        return Mitigation.objects.for_api()
