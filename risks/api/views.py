"""Read-only endpoints for registers and everything in them."""

from django.db.models import Max, Prefetch

from riskregister.api.viewsets import ReferenceViewSet
from riskregister.api.writes import RecordWriteMixin
from risks.api import filters, serializers, write_serializers
from risks.api.ratings import SUBRISK_STATE_FIELDS
from risks.models import (
    GlossaryTerm,
    Lesson,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)


# Limitation: registers, lessons and glossary terms are read with
# plain querysets here, because their models have no queryset class of their own.
class RegisterViewSet(ReferenceViewSet):
    """Live registers, each with a link to its methodology."""

    serializer_class = serializers.RegisterSerializer
    filterset_class = filters.RegisterFilter

    def get_queryset(self):
        return Register.objects.filter(archived_at__isnull=True).select_related(
            "methodology"
        )


class RiskAreaViewSet(RecordWriteMixin, ReferenceViewSet):
    """Live areas with their live sub-risks, risk factors and mitigations."""

    serializer_class = serializers.RiskAreaSerializer
    create_serializer_class = write_serializers.RiskAreaCreateSerializer
    update_serializer_class = write_serializers.RiskAreaUpdateSerializer
    filterset_class = filters.RiskAreaFilter
    state_fields = ("register__methodology__updated_at",)

    def get_queryset(self):
        return RiskArea.objects.for_api()

    def state_annotations(self):
        # What the nested rows show moves with their update time, or with the
        # methodology version for ratings changed in bulk.
        return {
            "subrisks_changed": Max("subrisks__updated_at"),
            "subrisks_rated": Max("subrisks__methodology_version"),
            "factors_changed": Max("risk_factors__updated_at"),
            "mitigations_changed": Max("mitigations__updated_at"),
            "see_also_changed": Max("see_also__updated_at"),
        }


class SubRiskViewSet(RecordWriteMixin, ReferenceViewSet):
    """Live sub-risks with their levels and stored rating."""

    serializer_class = serializers.SubRiskSerializer
    create_serializer_class = write_serializers.SubRiskCreateSerializer
    update_serializer_class = write_serializers.SubRiskUpdateSerializer
    filterset_class = filters.SubRiskFilter
    state_fields = SUBRISK_STATE_FIELDS

    def get_queryset(self):
        return SubRisk.objects.for_api()


class RiskFactorViewSet(RecordWriteMixin, ReferenceViewSet):
    """Live risk factors: what makes an area's risks more likely or worse."""

    serializer_class = serializers.RiskFactorDetailSerializer
    create_serializer_class = write_serializers.RiskFactorCreateSerializer
    update_serializer_class = write_serializers.RiskFactorUpdateSerializer
    filterset_class = filters.RiskFactorFilter

    def get_queryset(self):
        return RiskFactor.objects.for_api()


class LessonViewSet(ReferenceViewSet):
    """Live lessons from earlier roll-outs, with the live areas they relate to."""

    serializer_class = serializers.LessonSerializer
    filterset_class = filters.LessonFilter

    def get_queryset(self):
        return (
            Lesson.objects.filter(
                archived_at__isnull=True, source__register__archived_at__isnull=True
            )
            .select_related("source__register")
            .prefetch_related(
                Prefetch(
                    "related_areas",
                    queryset=RiskArea.objects.active().order_by("number"),
                )
            )
        )


class GlossaryTermViewSet(ReferenceViewSet):
    """The abbreviations of live registers and what they stand for."""

    serializer_class = serializers.GlossaryTermSerializer
    filterset_class = filters.GlossaryTermFilter

    def get_queryset(self):
        return GlossaryTerm.objects.filter(
            register__archived_at__isnull=True
        ).select_related("register")
