"""Input shapes for writing areas, sub-risks and risk factors through the API.

Records are named by reference and levels by their value on the register's
scale, as the read shapes show them. Validation beyond types is the model's.
"""

from rest_framework import serializers

from riskregister.api.writes import (
    LevelValueField,
    RecordInputSerializer,
    RevisionField,
    level_for,
)
from risks.models import Register, RiskArea, RiskFactor, SubRisk


def live_areas():
    return RiskArea.objects.active().filter(register__archived_at__isnull=True)


class AreaReferenceField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "reference")
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"].setdefault(
            "does_not_exist", "No live area has the reference “{value}”."
        )
        super().__init__(**kwargs)

    def get_queryset(self):
        return live_areas().select_related("register__methodology")


SMALL_NUMBER = {"min_value": 0, "max_value": 32767}


class RiskAreaCreateSerializer(RecordInputSerializer):
    """A new risk area of a register; `number` names it in every reference."""

    register = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=Register.objects.filter(archived_at__isnull=True),
        help_text="The register's reference, e.g. SRR-2017.",
        error_messages={
            "does_not_exist": "No live register has the reference “{value}”."
        },
    )
    see_also = AreaReferenceField(
        many=True,
        required=False,
        help_text="References of the areas of the same register this one refers to.",
    )

    class Meta:
        model = RiskArea
        fields = [
            "register",
            "number",
            "name",
            "group",
            "statement",
            "rating_commentary",
            "settlement_impact",
            "market_impact",
            "see_also",
        ]
        extra_kwargs = {"number": {**SMALL_NUMBER, "min_value": 1}}
        # The database constraint is checked by the service, with its message.
        validators = []

    def validate(self, attrs):
        register = attrs.get("register") or self.instance.register
        others = [
            area.reference
            for area in attrs.get("see_also", [])
            if area.register_id != register.pk
            or (self.instance is not None and area.pk == self.instance.pk)
        ]
        if others:
            raise serializers.ValidationError(
                {
                    "see_also": "Refer only to other areas of the same register, "
                    f"not {', '.join(others)}."
                },
                code="invalid_choice",
            )
        return attrs


class RiskAreaUpdateSerializer(RiskAreaCreateSerializer):
    """Changes to a risk area; its register and number stay."""

    revision = RevisionField()

    class Meta(RiskAreaCreateSerializer.Meta):
        fields = [
            name
            for name in RiskAreaCreateSerializer.Meta.fields
            if name not in {"register", "number"}
        ] + ["revision"]
        fixed_fields = {"register", "number"}


class SubRiskCreateSerializer(RecordInputSerializer):
    """A new sub-risk of an area; its rating comes from the matrix."""

    area = AreaReferenceField(help_text="The area's reference, e.g. SRR-2017/2.")
    likelihood = LevelValueField(
        help_text="The likelihood's value on the register's scale, e.g. 3."
    )
    impact = LevelValueField(
        help_text="The settlement impact's value on the register's scale, e.g. 4."
    )

    class Meta:
        model = SubRisk
        fields = [
            "area",
            "statement",
            "rating_label",
            "likelihood",
            "impact",
            "order",
            "reviewed_on",
        ]
        extra_kwargs = {"order": SMALL_NUMBER}

    def validate(self, attrs):
        area = attrs.get("area") or self.instance.area
        methodology = area.register.methodology
        errors = {}
        for name, levels, label in (
            ("likelihood", methodology.likelihood_levels.all(), "likelihood"),
            ("impact", methodology.impact_levels.all(), "settlement impact"),
        ):
            if name in attrs:
                try:
                    attrs[name] = level_for(levels, attrs[name], label)
                except serializers.ValidationError as error:
                    errors[name] = error.detail
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class SubRiskUpdateSerializer(SubRiskCreateSerializer):
    """Changes to a sub-risk; its area stays."""

    revision = RevisionField()

    class Meta(SubRiskCreateSerializer.Meta):
        fields = [
            name for name in SubRiskCreateSerializer.Meta.fields if name != "area"
        ] + ["revision"]
        fixed_fields = {"area"}


class RiskFactorCreateSerializer(RecordInputSerializer):
    """A new risk factor of an area."""

    area = AreaReferenceField(help_text="The area's reference, e.g. SRR-2017/2.")

    class Meta:
        model = RiskFactor
        fields = ["area", "style", "lead_in", "text", "order"]
        extra_kwargs = {"order": SMALL_NUMBER}


class RiskFactorUpdateSerializer(RiskFactorCreateSerializer):
    """Changes to a risk factor; its area stays."""

    revision = RevisionField()

    class Meta(RiskFactorCreateSerializer.Meta):
        fields = [
            name for name in RiskFactorCreateSerializer.Meta.fields if name != "area"
        ] + ["revision"]
        fixed_fields = {"area"}
