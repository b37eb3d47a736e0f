"""Read-only endpoints for registers and everything in them."""

from django.db.models import Prefetch

from riskregister.api.viewsets import ReferenceViewSet
from risks.api import filters, serializers
from risks.models import (
    GlossaryTerm,
    Lesson,
    MatrixCell,
    Methodology,
    Register,
    RiskArea,
    SubRisk,
)


# Limitation: registers, methodologies, lessons and glossary terms are read with
# plain querysets here, because their models have no queryset class of their own.
class RegisterViewSet(ReferenceViewSet):
    """Live registers, each with a link to its methodology."""

    serializer_class = serializers.RegisterSerializer
    filterset_class = filters.RegisterFilter

    def get_queryset(self):
        return Register.objects.filter(archived_at__isnull=True).select_related(
            "methodology"
        )


class MethodologyViewSet(ReferenceViewSet):
    """Each live register's scales, rating levels and matrix, named by the register."""

    serializer_class = serializers.MethodologySerializer
    filterset_class = filters.MethodologyFilter
    lookup_field = "register__reference"
    lookup_url_kwarg = "reference"

    def get_queryset(self):
        return (
            Methodology.objects.filter(register__archived_at__isnull=True)
            .select_related("register")
            .prefetch_related(
                "likelihood_levels",
                "impact_levels",
                "rating_levels",
                Prefetch("cells", queryset=MatrixCell.objects.for_grid()),
            )
        )


class RiskAreaViewSet(ReferenceViewSet):
    """Live areas with their live sub-risks, risk factors and mitigations."""

    serializer_class = serializers.RiskAreaSerializer
    filterset_class = filters.RiskAreaFilter

    def get_queryset(self):
        return RiskArea.objects.for_api()


class SubRiskViewSet(ReferenceViewSet):
    """Live sub-risks with their levels and stored rating."""

    serializer_class = serializers.SubRiskSerializer
    filterset_class = filters.SubRiskFilter

    def get_queryset(self):
        return SubRisk.objects.for_api()


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
