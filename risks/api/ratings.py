"""The ratings feed: every live sub-risk's rating, compact, for other systems.

`/ratings/?updated_since=T` gives what changed since T; `/ratings/removed/?since=T`
gives what left the feed since T (archived, or in an archived area or register),
so a system that keeps a copy can drop those rows too.
"""

from django.db.models import F
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action

from riskregister.api.viewsets import ReferenceViewSet
from risks.api.filters import RemovedSinceFilter, SubRiskFilter, subrisk_ordering
from risks.api.serializers import RatingSummarySerializer, ScaleLevelSummarySerializer
from risks.models import ImpactLevel, LikelihoodLevel, RatingLevel, SubRisk

SUBRISK_STATE_FIELDS = (
    "methodology_version",
    "likelihood__value",
    "likelihood__label",
    "impact__value",
    "impact__label",
    "rating__name",
    "rating__rank",
    "rating__colour",
    "area__register__methodology__updated_at",
)


class RatingFeedSerializer(serializers.Serializer):
    """One sub-risk's rating. Built by hand: the feed is polled often."""

    reference = serializers.CharField(
        read_only=True, help_text="The sub-risk's stable reference, e.g. SRR-2017/2.b."
    )
    area = serializers.CharField(
        read_only=True, help_text="The area's reference, e.g. SRR-2017/2."
    )
    likelihood = ScaleLevelSummarySerializer(read_only=True)
    impact = ScaleLevelSummarySerializer(read_only=True)
    rating = RatingSummarySerializer(
        read_only=True, help_text="The matrix's rating for the likelihood and impact."
    )
    score = serializers.IntegerField(
        read_only=True,
        help_text="Likelihood value times impact value, for sorting and charts; "
        "the rating comes from the matrix, not from this number.",
    )
    methodology_version = serializers.IntegerField(
        read_only=True, help_text="The methodology version that produced the rating."
    )
    updated_at = serializers.DateTimeField(
        read_only=True,
        help_text="When the sub-risk changed or was last rated again by a "
        "methodology change, whichever is later.",
    )

    def to_representation(self, row):
        """One row of `SubRisk.objects.for_ratings_feed()`."""
        levels = self.context["levels"]
        likelihood = levels.likelihoods[row["likelihood_id"]]
        impact = levels.impacts[row["impact_id"]]
        return {
            "reference": row["reference"],
            "area": row["area_reference"],
            "likelihood": likelihood,
            "impact": impact,
            "rating": levels.ratings[row["rating_id"]],
            "score": likelihood["value"] * impact["value"],
            "methodology_version": row["methodology_version"],
            "updated_at": self.fields["updated_at"].to_representation(
                row["changed_at"]
            ),
        }


class RemovedRatingSerializer(serializers.Serializer):
    """A sub-risk that the feed no longer shows: a row of
    `SubRisk.objects.removed_from_feed()`."""

    reference = serializers.CharField(
        read_only=True, help_text="The sub-risk's stable reference, e.g. SRR-2017/2.b."
    )
    removed_at = serializers.DateTimeField(
        read_only=True,
        help_text="When it left the feed: its own archiving, or its area's or "
        "register's, whichever came first.",
    )


class LevelLookups:
    """Every likelihood and impact level and rating, by id, as the feed shows them.

    Three small queries, whatever the number of rows: there are a few levels
    per methodology, and a feed row names its own by id.
    """

    def __init__(self):
        self.likelihoods = self._by_id(LikelihoodLevel, "value", "label")
        self.impacts = self._by_id(ImpactLevel, "value", "label")
        self.ratings = self._by_id(RatingLevel, "name", "rank", "colour")

    @staticmethod
    def _by_id(model, *fields):
        return {row.pop("id"): row for row in model.objects.values("id", *fields)}


class RatingFeedFilter(SubRiskFilter):
    """The sub-risk filters, ordered by reference unless asked otherwise.

    The reference is unique and indexed, so a page of the feed is read from the
    index instead of sorting every live sub-risk first.
    """

    ordering = subrisk_ordering(default=[F("reference").asc()])


class RatingFeedViewSet(ReferenceViewSet):
    """Every live sub-risk's rating, for polling; filter `updated_since` to sync."""

    state_fields = SUBRISK_STATE_FIELDS

    @property
    def filterset_class(self):
        return RemovedSinceFilter if self.action == "removed" else RatingFeedFilter

    def get_serializer_class(self):
        if self.action == "removed":
            return RemovedRatingSerializer
        return RatingFeedSerializer

    def get_queryset(self):
        if self.action == "removed":
            return SubRisk.objects.removed_from_feed()
        return SubRisk.objects.for_ratings_feed()

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action != "removed":
            context["levels"] = LevelLookups()
        return context

    @extend_schema(
        responses=RemovedRatingSerializer(many=True),
        summary="Sub-risks that left the feed",
        description="Sub-risks archived, or in an area or register archived, at "
        "or after `since`: with `/ratings/?updated_since=` it keeps a copy of the "
        "feed whole. A restored sub-risk comes back through `updated_since`.",
    )
    @action(detail=False, methods=["get"])
    def removed(self, request, *args, **kwargs):
        """Sub-risks that left the feed at or after `since`, with when."""
        # `list` gives it the feed's pages, validators, 304s and body cache.
        return self.list(request, *args, **kwargs)
