"""Output shapes of the read-only API. Ratings are read as stored, never derived."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from mitigations.api.serializers import MitigationSerializer
from risks.models import (
    GlossaryTerm,
    Lesson,
    LessonSource,
    Methodology,
    RatingLevel,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)


class ScaleLevelSummarySerializer(serializers.Serializer):
    """A likelihood or impact level as a sub-risk carries it."""

    value = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)


class ScaleLevelSerializer(ScaleLevelSummarySerializer):
    """A likelihood or impact level as its methodology defines it."""

    definition = serializers.CharField(read_only=True)


class RatingSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingLevel
        fields = ["name", "rank", "colour"]


class RatingLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingLevel
        fields = ["name", "rank", "colour", "description", "review_interval_days"]


class MatrixCellSerializer(serializers.Serializer):
    likelihood = ScaleLevelSummarySerializer(read_only=True)
    impact = ScaleLevelSummarySerializer(read_only=True)
    rating = RatingSummarySerializer(read_only=True)


class MethodologyLinkField(serializers.HyperlinkedIdentityField):
    """Links a methodology, which the API names by its register's reference."""

    def __init__(self, **kwargs):
        kwargs.setdefault("view_name", "api:methodology-detail")
        super().__init__(**kwargs)

    def get_url(self, obj, view_name, request, format):
        return reverse(
            view_name, kwargs={"reference": obj.register.reference}, request=request
        )


class MethodologySummarySerializer(serializers.ModelSerializer):
    url = MethodologyLinkField()

    class Meta:
        model = Methodology
        fields = ["url", "name", "version"]


class MethodologySerializer(serializers.ModelSerializer):
    url = MethodologyLinkField()
    register = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    likelihood_levels = ScaleLevelSerializer(many=True, read_only=True)
    impact_levels = ScaleLevelSerializer(many=True, read_only=True)
    rating_levels = RatingLevelSerializer(many=True, read_only=True)
    matrix = MatrixCellSerializer(source="cells", many=True, read_only=True)

    class Meta:
        model = Methodology
        fields = [
            "url",
            "register",
            "name",
            "version",
            "likelihood_levels",
            "impact_levels",
            "rating_levels",
            "matrix",
            "created_at",
            "updated_at",
            "revision",
        ]


class RegisterSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:register-detail", lookup_field="reference"
    )
    methodology = MethodologySummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Register
        fields = [
            "url",
            "reference",
            "name",
            "version",
            "status",
            "effective_date",
            "approving_body",
            "paper_reference",
            "description",
            "source_citation",
            "methodology",
            "created_at",
            "updated_at",
            "revision",
        ]


class SubRiskSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:subrisk-detail", lookup_field="reference"
    )
    register = serializers.CharField(source="area.register.reference", read_only=True)
    area = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    likelihood = ScaleLevelSummarySerializer(read_only=True)
    impact = ScaleLevelSummarySerializer(read_only=True)
    rating = RatingSummarySerializer(read_only=True)

    class Meta:
        model = SubRisk
        fields = [
            "url",
            "reference",
            "register",
            "area",
            "statement",
            "rating_label",
            "likelihood",
            "impact",
            "rating",
            "methodology_version",
            "reviewed_on",
            "order",
            "created_at",
            "updated_at",
            "revision",
        ]


class RiskFactorSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskFactor
        fields = ["reference", "style", "lead_in", "text"]


class RiskAreaSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:area-detail", lookup_field="reference"
    )
    register = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    see_also = serializers.SlugRelatedField(
        slug_field="reference", many=True, read_only=True
    )
    overall_rating = serializers.SerializerMethodField()
    subrisks = SubRiskSerializer(many=True, read_only=True)
    risk_factors = RiskFactorSerializer(many=True, read_only=True)
    mitigations = MitigationSerializer(many=True, read_only=True)

    class Meta:
        model = RiskArea
        fields = [
            "url",
            "reference",
            "register",
            "number",
            "name",
            "group",
            "statement",
            "rating_commentary",
            "settlement_impact",
            "market_impact",
            "see_also",
            "overall_rating",
            "subrisks",
            "risk_factors",
            "mitigations",
            "created_at",
            "updated_at",
            "revision",
        ]

    @extend_schema_field(RatingSummarySerializer(allow_null=True))
    def get_overall_rating(self, area):
        """The worst stored rating among the area's live sub-risks, if it has any."""
        worst = max(
            area.subrisks.all(), key=lambda subrisk: subrisk.rating.rank, default=None
        )
        return RatingSummarySerializer(worst.rating).data if worst else None


class LessonSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = LessonSource
        fields = ["key", "name"]


class LessonSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:lesson-detail", lookup_field="reference"
    )
    register = serializers.CharField(source="source.register.reference", read_only=True)
    source = LessonSourceSerializer(read_only=True)
    related_areas = serializers.SlugRelatedField(
        slug_field="reference", many=True, read_only=True
    )

    class Meta:
        model = Lesson
        fields = [
            "url",
            "reference",
            "register",
            "source",
            "number",
            "problem",
            "lesson",
            "related_areas",
            "created_at",
            "updated_at",
            "revision",
        ]


class GlossaryTermSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:glossary-term-detail", lookup_field="reference"
    )
    register = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = GlossaryTerm
        fields = [
            "url",
            "reference",
            "register",
            "abbreviation",
            "meaning",
            "created_at",
            "updated_at",
            "revision",
        ]


class RiskFactorDetailSerializer(serializers.ModelSerializer):
    """A risk factor on its own, as the factors endpoint shows it."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:factor-detail", lookup_field="reference"
    )
    register = serializers.CharField(source="area.register.reference", read_only=True)
    area = serializers.SlugRelatedField(slug_field="reference", read_only=True)

    class Meta:
        model = RiskFactor
        fields = [
            "url",
            "reference",
            "register",
            "area",
            "style",
            "lead_in",
            "text",
            "order",
            "created_at",
            "updated_at",
            "revision",
        ]
