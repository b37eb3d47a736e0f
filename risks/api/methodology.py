"""The methodology endpoints: read by every Viewer, changed by Methodology admins.

A methodology is named by its register's reference. PUT replaces its whole state
(scales, rating levels, matrix) and rates every sub-risk again, exactly as the
methodology editor's confirmation does; the body's `revision` must be the one the
client read, or the answer is 412 and nothing is written. POST `preview/` answers
what that PUT would change without writing anything, POST `from-bands/` proposes
a matrix from score bands, and the versions can be read and compared. Every
input shape refuses a field it does not have, at any depth, as content writes do.
"""

import logging

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse

from riskregister.api.exceptions import PreconditionFailed
from riskregister.api.schema import ErrorSerializer
from riskregister.api.unknown_fields import UnknownFieldsRefusedMixin
from riskregister.api.viewsets import ReferenceViewSet
from riskregister.api.writes import StrictCharField
from risks.api import filters
from risks.api.serializers import MethodologySerializer
from risks.methodology import (
    LABEL_LENGTH,
    MAX_LEVELS,
    MAX_RANK,
    MIN_LEVELS,
    NAME_LENGTH,
    MethodologyChange,
    matrix_from_bands,
    methodology_apply,
    methodology_preview,
    monotonic_warnings,
)
from risks.models import MatrixCell, Methodology, MethodologyVersion, colour_validator
from risks.roles import METHODOLOGY_PERMISSION
from risks.services import StaleRevisionError
from risks.versions import compare_states

logger = logging.getLogger(__name__)

MAX_SCORE = MAX_LEVELS * MAX_LEVELS


# ---- Input -----------------------------------------------------------------


class ScaleLevelInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    value = serializers.IntegerField(min_value=1, max_value=MAX_LEVELS)
    label = StrictCharField(max_length=LABEL_LENGTH)
    definition = StrictCharField(allow_blank=True, required=False, default="")


class RatingLevelInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    rank = serializers.IntegerField(
        min_value=1, max_value=MAX_RANK, help_text="1 is the least severe."
    )
    name = StrictCharField(max_length=LABEL_LENGTH)
    colour = StrictCharField(
        max_length=7, validators=[colour_validator], help_text="#rrggbb"
    )
    description = StrictCharField(allow_blank=True, required=False, default="")
    review_interval_days = serializers.IntegerField(
        min_value=1,
        allow_null=True,
        required=False,
        default=None,
        help_text="Days after a review at which a sub-risk with this rating is due "
        "for review again; null for none.",
    )


class MatrixCellInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    likelihood = serializers.IntegerField(min_value=1, max_value=MAX_LEVELS)
    impact = serializers.IntegerField(min_value=1, max_value=MAX_LEVELS)
    rating = StrictCharField(
        max_length=LABEL_LENGTH, help_text="The name of one of the rating levels."
    )


class LevelMappingField(serializers.DictField):
    """Old level value -> new level value, for removed levels that are in use."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_LEVELS)

    def to_internal_value(self, data):
        mapping = super().to_internal_value(data)
        converted = {}
        for key, value in mapping.items():
            try:
                old = int(key)
            except ValueError:
                old = 0
            if not 1 <= old <= MAX_LEVELS:
                raise serializers.ValidationError(
                    f"Keys are the values of removed levels, 1 to {MAX_LEVELS}; "
                    f"got '{key}'."
                )
            converted[old] = value
        return converted


class MethodologyStateInputSerializer(
    UnknownFieldsRefusedMixin, serializers.Serializer
):
    """A complete proposed methodology: everything it will be after the change."""

    name = StrictCharField(max_length=NAME_LENGTH)
    likelihood_levels = ScaleLevelInputSerializer(many=True)
    impact_levels = ScaleLevelInputSerializer(many=True)
    rating_levels = RatingLevelInputSerializer(many=True)
    matrix = MatrixCellInputSerializer(many=True)
    likelihood_mapping = LevelMappingField(
        required=False,
        default=dict,
        help_text="Where sub-risks on removed likelihood levels go: "
        '{"old value": new value}, e.g. {"5": 3}.',
    )
    impact_mapping = LevelMappingField(
        required=False,
        default=dict,
        help_text="Where sub-risks on removed impact levels go, as for likelihood.",
    )
    reason = StrictCharField(
        max_length=1000, allow_blank=True, required=False, default=""
    )

    def validate_matrix(self, cells):
        seen = set()
        for cell in cells:
            key = (cell["likelihood"], cell["impact"])
            if key in seen:
                raise serializers.ValidationError(
                    f"Two cells for likelihood {key[0]} x impact {key[1]}."
                )
            seen.add(key)
        return cells

    def change(self):
        data = self.validated_data
        return MethodologyChange(
            name=data["name"],
            likelihood_levels=[dict(level) for level in data["likelihood_levels"]],
            impact_levels=[dict(level) for level in data["impact_levels"]],
            rating_levels=[dict(level) for level in data["rating_levels"]],
            matrix={
                (cell["likelihood"], cell["impact"]): cell["rating"]
                for cell in data["matrix"]
            },
            reason=data["reason"].strip(),
            likelihood_mapping=data["likelihood_mapping"],
            impact_mapping=data["impact_mapping"],
        )


class MethodologyUpdateInputSerializer(MethodologyStateInputSerializer):
    reason = StrictCharField(
        max_length=1000,
        help_text="Why the methodology changes; kept with the version and in every "
        "changed rating's history.",
    )
    revision = serializers.IntegerField(
        min_value=1,
        help_text="The methodology revision the change is based on; a different "
        "one gives 412 and nothing is written.",
    )


class BandInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    rating = StrictCharField(max_length=LABEL_LENGTH)
    lowest_score = serializers.IntegerField(min_value=1, max_value=MAX_SCORE)


class FromBandsInputSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """Score bands: each cell gets the rating of the highest band its score
    (likelihood x impact) reaches."""

    bands = BandInputSerializer(many=True, allow_empty=False)
    likelihood_levels = serializers.IntegerField(
        min_value=MIN_LEVELS,
        max_value=MAX_LEVELS,
        required=False,
        help_text="Number of likelihood levels; the methodology's own by default.",
    )
    impact_levels = serializers.IntegerField(
        min_value=MIN_LEVELS,
        max_value=MAX_LEVELS,
        required=False,
        help_text="Number of impact levels; the methodology's own by default.",
    )

    def validate_bands(self, bands):
        names = self.context["rating_names"]
        unknown = sorted({band["rating"] for band in bands} - set(names))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown rating {', '.join(unknown)}; use one of {', '.join(names)}."
            )
        return bands


class CompareQuerySerializer(serializers.Serializer):
    def __init__(self, *args, versions, **kwargs):
        self.versions = versions
        super().__init__(*args, **kwargs)

    def get_fields(self):
        return {
            "from": serializers.IntegerField(min_value=1),
            "to": serializers.IntegerField(min_value=1),
        }

    def validate(self, attrs):
        known = ", ".join(map(str, self.versions))
        errors = {
            name: f"There is no version {attrs[name]}; the versions are {known}."
            for name in ("from", "to")
            if attrs[name] not in self.versions
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


# ---- Output ----------------------------------------------------------------


class StateScaleLevelSerializer(serializers.Serializer):
    value = serializers.IntegerField()
    label = serializers.CharField()
    definition = serializers.CharField()


class StateRatingLevelSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    name = serializers.CharField()
    colour = serializers.CharField()
    description = serializers.CharField()
    review_interval_days = serializers.IntegerField(allow_null=True)


class StateCellSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    rating = serializers.CharField()


class StateSerializer(serializers.Serializer):
    """A methodology state as a version keeps it (the register document's shape)."""

    name = serializers.CharField()
    likelihood_levels = StateScaleLevelSerializer(many=True)
    impact_levels = StateScaleLevelSerializer(many=True)
    rating_levels = StateRatingLevelSerializer(many=True)
    matrix = StateCellSerializer(many=True)


class RatingChangeSerializer(serializers.Serializer):
    reference = serializers.CharField()
    statement = serializers.CharField()
    old = serializers.CharField(help_text="The rating now.")
    new = serializers.CharField(help_text="The rating after the change.")


class RatingCountSerializer(serializers.Serializer):
    rating = serializers.CharField()
    before = serializers.IntegerField()
    after = serializers.IntegerField()


class OutcomeSerializer(serializers.Serializer):
    """What a change does (preview) or did (PUT): the version it makes, every
    sub-risk whose rating changes, counts per rating and monotonicity warnings."""

    version = serializers.IntegerField()
    changes = RatingChangeSerializer(many=True)
    counts = RatingCountSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class SaveOutcomeSerializer(OutcomeSerializer):
    methodology = MethodologySerializer()


class ProposedMatrixSerializer(serializers.Serializer):
    matrix = StateCellSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class VersionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(
        slug_field="username",
        read_only=True,
        allow_null=True,
        help_text="The username of the user who saved the version; null when no "
        "user did (a register loaded by a command) or the user has been deleted.",
    )

    class Meta:
        model = MethodologyVersion
        fields = ["url", "version", "created_at", "created_by", "reason"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, version):
        return reverse(
            "api:methodology-version",
            kwargs={
                "reference": self.context["reference"],
                "number": version.version,
            },
            request=self.context.get("request"),
        )


class VersionDetailSerializer(VersionSerializer):
    snapshot = StateSerializer()

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "snapshot"]


class CellDifferenceSerializer(serializers.Serializer):
    likelihood = serializers.IntegerField()
    impact = serializers.IntegerField()
    changed = serializers.BooleanField()

    def get_fields(self):
        return {
            **super().get_fields(),
            "from": serializers.CharField(source="old", allow_null=True),
            "to": serializers.CharField(source="new", allow_null=True),
        }


@extend_schema_field(
    {"type": "string", "enum": ["added", "removed", "changed", "unchanged"]}
)
class DifferenceStatusField(serializers.CharField):
    """How a level differs between two states."""


class ScaleDifferenceSerializer(serializers.Serializer):
    value = serializers.IntegerField(source="key")
    difference = DifferenceStatusField(source="status")
    fields = serializers.ListField(child=serializers.CharField())

    def get_fields(self):
        return {
            **super().get_fields(),
            "from": StateScaleLevelSerializer(source="old", allow_null=True),
            "to": StateScaleLevelSerializer(source="new", allow_null=True),
        }


class RatingDifferenceSerializer(serializers.Serializer):
    rank = serializers.IntegerField(source="key")
    difference = DifferenceStatusField(source="status")
    fields = serializers.ListField(child=serializers.CharField())

    def get_fields(self):
        return {
            **super().get_fields(),
            "from": StateRatingLevelSerializer(source="old", allow_null=True),
            "to": StateRatingLevelSerializer(source="new", allow_null=True),
        }


class NameDifferenceSerializer(serializers.Serializer):
    changed = serializers.BooleanField()

    def get_fields(self):
        return {
            **super().get_fields(),
            "from": serializers.CharField(source="old"),
            "to": serializers.CharField(source="new"),
        }


class ComparisonSerializer(serializers.Serializer):
    """Two versions cell by cell and level by level; `from` is the earlier state."""

    name = NameDifferenceSerializer()
    likelihood_levels = ScaleDifferenceSerializer(many=True)
    impact_levels = ScaleDifferenceSerializer(many=True)
    rating_levels = RatingDifferenceSerializer(many=True)
    cells = CellDifferenceSerializer(many=True)

    def get_fields(self):
        return {
            "from": serializers.IntegerField(source="old_version"),
            "to": serializers.IntegerField(source="new_version"),
            **super().get_fields(),
        }


def outcome(result):
    """A preview or save result in the API's shape."""
    names = list(result.counts_after) + [
        name for name in result.counts_before if name not in result.counts_after
    ]
    return {
        "version": result.version,
        "changes": result.changes,
        "counts": [
            {
                "rating": name,
                "before": result.counts_before.get(name, 0),
                "after": result.counts_after.get(name, 0),
            }
            for name in names
        ],
        "warnings": result.warnings,
    }


REFUSED = OpenApiResponse(
    response=ErrorSerializer,
    description="Invalid input; each error names its field, dotted when nested, "
    "e.g. `matrix` or `likelihood_levels.0.label`. A field the shape does not have "
    "is refused with the code unknown_field.",
)


# ---- Endpoints -------------------------------------------------------------


class MethodologyViewSet(ReferenceViewSet):
    """Each live register's scales, rating levels and matrix, named by the register."""

    serializer_class = MethodologySerializer
    filterset_class = filters.MethodologyFilter
    lookup_field = "register__reference"
    lookup_url_kwarg = "reference"
    lookup_value_regex = r"[A-Za-z0-9][A-Za-z0-9_-]*"
    write_permission = METHODOLOGY_PERMISSION

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

    def methodology(self):
        """The methodology in the URL, without the prefetches a write does not use."""
        try:
            return Methodology.objects.select_related("register").get(
                register__archived_at__isnull=True,
                register__reference=self.kwargs["reference"],
            )
        except Methodology.DoesNotExist:
            raise NotFound("No live register has this reference.") from None

    @extend_schema(
        summary="Replace the methodology and rate every sub-risk again",
        request=MethodologyUpdateInputSerializer,
        responses={
            200: SaveOutcomeSerializer,
            400: REFUSED,
            412: OpenApiResponse(
                response=ErrorSerializer,
                description="The methodology changed since `revision`; nothing "
                "was written.",
            ),
        },
    )
    def update(self, request, *args, **kwargs):
        methodology = self.methodology()
        serializer = MethodologyUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        revision = serializer.validated_data["revision"]
        try:
            result = methodology_apply(
                methodology=methodology,
                change=serializer.change(),
                user=request.user,
                revision=revision,
            )
        except StaleRevisionError as error:
            raise PreconditionFailed(
                {
                    "revision": [
                        f"The methodology is at revision {error.current.revision} "
                        f"now, not {revision}: someone saved version "
                        f"{error.current.version} since you read it. Nothing was "
                        "written; read it again and base your change on it."
                    ]
                }
            ) from None

        data = {
            **outcome(result),
            "methodology": self.get_queryset().get(pk=methodology.pk),
        }
        return Response(
            SaveOutcomeSerializer(data, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="What replacing the methodology would change, without writing",
        request=MethodologyStateInputSerializer,
        responses={200: OutcomeSerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def preview(self, request, *args, **kwargs):
        methodology = self.methodology()
        serializer = MethodologyStateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)

        result = methodology_preview(
            methodology=methodology, change=serializer.change(), user=request.user
        )
        return Response(OutcomeSerializer(outcome(result)).data)

    @extend_schema(
        summary="A matrix from score bands, to adjust and send back with PUT",
        request=FromBandsInputSerializer,
        responses={200: ProposedMatrixSerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="from-bands", filter_backends=[])
    def from_bands(self, request, *args, **kwargs):
        methodology = self.methodology()
        ratings = list(methodology.rating_levels.order_by("rank"))
        serializer = FromBandsInputSerializer(
            data=request.data, context={"rating_names": [r.name for r in ratings]}
        )
        serializer.is_valid(raise_exception=True)

        data = serializer.validated_data
        likelihoods = data.get("likelihood_levels") or (
            methodology.likelihood_levels.count()
        )
        impacts = data.get("impact_levels") or methodology.impact_levels.count()
        matrix = matrix_from_bands(
            likelihood_values=range(1, likelihoods + 1),
            impact_values=range(1, impacts + 1),
            bands=[(band["lowest_score"], band["rating"]) for band in data["bands"]],
        )
        change = MethodologyChange(
            name=methodology.name,
            likelihood_levels=[],
            impact_levels=[],
            rating_levels=[{"name": r.name, "rank": r.rank} for r in ratings],
            matrix=matrix,
        )
        cells = [
            {"likelihood": likelihood, "impact": impact, "rating": rating}
            for (likelihood, impact), rating in sorted(
                matrix.items(), key=lambda item: (-item[0][0], item[0][1])
            )
        ]
        return Response(
            ProposedMatrixSerializer(
                {"matrix": cells, "warnings": monotonic_warnings(change)}
            ).data
        )

    @extend_schema(
        summary="The saved versions of the methodology, newest first",
        responses=VersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request, *args, **kwargs):
        methodology = self.methodology()

        def respond():
            queryset = methodology.versions.select_related("created_by").order_by(
                "-version"
            )
            page = self.paginate_queryset(queryset)
            serializer = VersionSerializer(
                page, many=True, context=self.version_context()
            )
            return self.get_paginated_response(serializer.data)

        return self.conditional(request, respond)

    @extend_schema(
        summary="One saved version with its full state",
        parameters=[
            OpenApiParameter(
                "number", OpenApiTypes.INT, OpenApiParameter.PATH, description="1, 2…"
            )
        ],
        responses=VersionDetailSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>[0-9]+)",
        url_name="version",
        filter_backends=[],
        pagination_class=None,
    )
    def version(self, request, *args, number, **kwargs):
        methodology = self.methodology()
        try:
            version = methodology.versions.select_related("created_by").get(
                version=int(number)
            )
        except MethodologyVersion.DoesNotExist:
            raise NotFound(
                f"{methodology.register.reference} has no methodology version {number}."
            ) from None

        return self.conditional(
            request,
            lambda: Response(
                VersionDetailSerializer(version, context=self.version_context()).data
            ),
        )

    @extend_schema(
        summary="Two versions compared cell by cell and level by level",
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.INT, required=True, description="Earlier version"
            ),
            OpenApiParameter(
                "to", OpenApiTypes.INT, required=True, description="Later version"
            ),
        ],
        responses={
            200: ComparisonSerializer,
            400: OpenApiResponse(
                response=ErrorSerializer,
                description="`from` or `to` is missing, not a whole number or not a "
                "saved version; each error names its parameter.",
            ),
        },
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def compare(self, request, *args, **kwargs):
        methodology = self.methodology()
        snapshots = dict(methodology.versions.values_list("version", "snapshot"))
        query = CompareQuerySerializer(
            data=request.query_params, versions=sorted(snapshots)
        )
        query.is_valid(raise_exception=True)

        old, new = query.validated_data["from"], query.validated_data["to"]
        return self.conditional(
            request, lambda: Response(self.comparison(snapshots, old, new))
        )

    def comparison(self, snapshots, old, new):
        """Versions `old` and `new` compared, in the API's shape."""
        comparison = compare_states(snapshots[old], snapshots[new])
        data = {
            "old_version": old,
            "new_version": new,
            "name": {
                "old": comparison.old_name,
                "new": comparison.new_name,
                "changed": comparison.old_name != comparison.new_name,
            },
            "likelihood_levels": comparison.likelihood_levels,
            "impact_levels": comparison.impact_levels,
            "rating_levels": comparison.rating_levels,
            "cells": comparison.cells,
        }
        return ComparisonSerializer(data).data

    def conditional(self, request, respond):
        """`respond()`, with validators; or 304 if the client's validators hold.

        A saved version never changes, and saving one raises the content version,
        so a list's validators (its URL and the content version) serve the
        versions list, a version and a comparison alike. Call it once the
        request has been checked, so a refusal is never answered with 304.
        """
        # Limitation: renaming a user who saved a version does not change these
        # validators, because users are not register content; a client keeps
        # showing the old username until the next methodology change.
        if not self._conditional(request):
            return respond()
        return self.list_validators(request).answer(request, respond)

    def version_context(self):
        return {"request": self.request, "reference": self.kwargs["reference"]}
