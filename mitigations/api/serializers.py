"""Output shape of mitigations in the read-only API."""

from rest_framework import serializers

from mitigations.models import Mitigation


class MitigationSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:mitigation-detail", lookup_field="reference"
    )
    register = serializers.CharField(source="area.register.reference", read_only=True)
    area = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    subrisks = serializers.SlugRelatedField(
        slug_field="reference",
        many=True,
        read_only=True,
        help_text="The live sub-risks it addresses; see applies_to_area.",
    )
    applies_to_area = serializers.BooleanField(
        read_only=True,
        help_text="True when it addresses the whole area; false when it addresses "
        "chosen sub-risks, even if all of them are archived (subrisks is then "
        "empty).",
    )
    references = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Mitigation
        fields = [
            "url",
            "reference",
            "register",
            "area",
            "kind",
            "none_proposed",
            "text",
            "owner",
            "status",
            "due_date",
            "references",
            "subrisks",
            "applies_to_area",
            "order",
            "created_at",
            "updated_at",
            "revision",
        ]
