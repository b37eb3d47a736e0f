"""The one router for /api/v1/, with every app's viewsets registered on it."""

from rest_framework.routers import DefaultRouter

from mitigations.api.views import MitigationViewSet
from risks.api.methodology import MethodologyViewSet
from risks.api.ratings import RatingFeedViewSet
from risks.api.views import (
    GlossaryTermViewSet,
    LessonViewSet,
    RegisterViewSet,
    RiskAreaViewSet,
    RiskFactorViewSet,
    SubRiskViewSet,
)


class Router(DefaultRouter):
    # A reference such as SRR-2017/2.b would otherwise be read as the
    # reference SRR-2017/2 in format "b"; ?format=json still works.
    include_format_suffixes = False


router = Router()
router.register("registers", RegisterViewSet, basename="register")
router.register("methodologies", MethodologyViewSet, basename="methodology")
router.register("areas", RiskAreaViewSet, basename="area")
router.register("subrisks", SubRiskViewSet, basename="subrisk")
router.register("factors", RiskFactorViewSet, basename="factor")
router.register("mitigations", MitigationViewSet, basename="mitigation")
router.register("ratings", RatingFeedViewSet, basename="rating")
router.register("lessons", LessonViewSet, basename="lesson")
router.register("glossary", GlossaryTermViewSet, basename="glossary-term")
