"""Input shapes for writing mitigations through the API."""

from rest_framework import serializers

from mitigations.models import Mitigation
from riskregister.api.writes import (
    RecordInputSerializer,
    RevisionField,
    StrictCharField,
)
from risks.api.write_serializers import AreaReferenceField
from risks.models import SubRisk


class MitigationCreateSerializer(RecordInputSerializer):
    """A new current or proposed mitigation of an area."""

    area = AreaReferenceField(help_text="The area's reference, e.g. SRR-2017/2.")
    subrisks = serializers.SlugRelatedField(
        slug_field="reference",
        many=True,
        required=False,
        queryset=SubRisk.objects.active(),
        help_text="References of the area's sub-risks it addresses; leave empty "
        "when it applies to the whole area.",
        error_messages={
            "does_not_exist": "No live sub-risk has the reference “{value}”."
        },
    )
    references = serializers.ListField(
        child=StrictCharField(max_length=100),
        required=False,
        max_length=50,
        help_text="Licence conditions, serials, modifications and the like.",
    )

    class Meta:
        model = Mitigation
        fields = [
            "area",
            "kind",
            "none_proposed",
            "text",
            "owner",
            "status",
            "due_date",
            "references",
            "subrisks",
            "order",
        ]
        extra_kwargs = {"order": {"min_value": 0, "max_value": 32767}}

    def validate(self, attrs):
        area = attrs.get("area") or self.instance.area
        others = [
            subrisk.reference
            for subrisk in attrs.get("subrisks", [])
            if subrisk.area_id != area.pk
        ]
        if others:
            raise serializers.ValidationError(
                {
                    "subrisks": f"Choose sub-risks of area {area.reference} only, "
                    f"not {', '.join(others)}."
                },
                code="invalid_choice",
            )
        return attrs


class MitigationUpdateSerializer(MitigationCreateSerializer):
    """Changes to a mitigation; its area stays."""

    revision = RevisionField()

    class Meta(MitigationCreateSerializer.Meta):
        fields = [
            name for name in MitigationCreateSerializer.Meta.fields if name != "area"
        ] + ["revision"]
        fixed_fields = {"area"}
