"""One FilterSet per model of the risks app. Unknown values give a 400."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.functions import Lower
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from riskregister.api.filters import (
    IntegerFilter,
    KnownCharFilter,
    KnownNumberFilter,
    SearchFilter,
    StableOrderingFilter,
)
from risks.models import (
    GlossaryTerm,
    ImpactLevel,
    Lesson,
    LessonSource,
    LikelihoodLevel,
    Methodology,
    RatingLevel,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)


def register_filter(field_name):
    """A filter on a live register, given by its reference."""
    return filters.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="reference",
        queryset=Register.objects.filter(archived_at__isnull=True),
        label="Register reference, e.g. SRR-2017",
        error_messages={"invalid_choice": "No register has the reference “%(value)s”."},
    )


def area_filter(field_name):
    """A filter on a live area, given by its reference."""
    return filters.ModelChoiceFilter(
        field_name=field_name,
        to_field_name="reference",
        queryset=RiskArea.objects.active(),
        label="Area reference, e.g. SRR-2017/8",
        error_messages={"invalid_choice": "No area has the reference “%(value)s”."},
    )


def group_filter(field_name):
    """A filter on an area group's name, ignoring case."""
    return KnownCharFilter(
        field_name=field_name,
        lookup_expr="iexact",
        label='Area group, e.g. "Data Retrieval"',
        known=lambda: RiskArea.objects.exclude(group="").values_list(
            "group", flat=True
        ),
        ignore_case=True,
    )


class RegisterFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Register.Status.choices)
    q = SearchFilter(search_fields=["reference", "name", "description"])
    ordering = StableOrderingFilter(
        fields=["reference", "name", "effective_date", "updated_at"],
        default=["-effective_date", "reference"],
    )

    class Meta:
        model = Register
        fields = ["status"]


class MethodologyFilter(filters.FilterSet):
    register = register_filter("register")
    ordering = StableOrderingFilter(
        fields=[("register__reference", "register"), ("updated_at", "updated_at")],
        default=["register__reference"],
    )

    class Meta:
        model = Methodology
        fields = ["register"]


class RiskAreaFilter(filters.FilterSet):
    register = register_filter("register")
    group = group_filter("group")
    min_rating_rank = IntegerFilter(
        field_name="worst_rank",
        lookup_expr="gte",
        min_value=1,
        label="Only areas whose worst live sub-risk has at least this rank",
    )
    q = SearchFilter(
        search_fields=[
            "name",
            "statement",
            "rating_commentary",
            "settlement_impact",
            "market_impact",
        ]
    )
    ordering = StableOrderingFilter(
        fields=[
            ("number", "number"),
            ("name", "name"),
            ("worst_rank", "rating"),
            ("updated_at", "updated_at"),
        ],
        default=["register__reference", "number"],
    )

    class Meta:
        model = RiskArea
        fields = ["register", "group"]


class _TimeInRangeField(IsoDateTimeField):
    """An ISO 8601 time that is also a time in UTC: 0001-01-01T00:00+14:00 is not.

    The time is handed on in UTC: Python takes offsets up to a day, PostgreSQL
    only up to 16 hours.
    """

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None:
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:
                raise ValidationError(
                    "Enter a time between the years 1 and 9999 in UTC.",
                    code="invalid",
                ) from None
        return value


class TimeFilter(filters.IsoDateTimeFilter):
    field_class = _TimeInRangeField


class UpdatedSinceFilter(TimeFilter):
    """Rows changed at or after a time, counting re-rating and restoring.

    A methodology change rates sub-risks again without saving them one by one,
    and restoring an area or register brings its sub-risks back without saving
    them, so a sub-risk counts as changed when its methodology, area or register
    changed too. That sends some rows again that did not change, but never
    leaves out one that did.
    """

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(
            Q(updated_at__gte=value)
            | Q(area__updated_at__gte=value)
            | Q(area__register__updated_at__gte=value)
            | Q(area__register__methodology__updated_at__gte=value)
        )


class RemovedSinceFilter(filters.FilterSet):
    """The required time from which `/ratings/removed/` lists what left the feed."""

    since = TimeFilter(
        field_name="removed_at",
        lookup_expr="gte",
        required=True,
        label="Sub-risks that left the feed at or after this ISO 8601 time, e.g. "
        "2017-05-24T09:00:00Z; a time without an offset is UK time "
        "(Europe/London)",
    )
    ordering = StableOrderingFilter(
        fields=[("removed_at", "removed_at"), ("reference", "reference")],
        default=[F("reference").asc()],
    )


def subrisk_ordering(*, default):
    """The orderings sub-risks offer, falling back on `default` to break ties."""
    return StableOrderingFilter(
        fields=[
            ("area__number", "area"),
            ("likelihood__value", "likelihood"),
            ("impact__value", "impact"),
            ("rating__rank", "rating"),
            ("created_at", "created_at"),
            ("updated_at", "updated_at"),
            ("reference", "reference"),
        ],
        default=default,
    )


class SubRiskFilter(filters.FilterSet):
    register = register_filter("area__register")
    updated_since = UpdatedSinceFilter(
        label="Only sub-risks changed (or rated again, or restored with their area "
        "or register) at or after this ISO 8601 time, e.g. 2017-05-24T09:00:00Z; "
        "a time without an offset is UK time (Europe/London)",
    )
    area = area_filter("area")
    group = group_filter("area__group")
    likelihood = KnownNumberFilter(
        field_name="likelihood__value",
        label="Likelihood scale value, e.g. 3",
        known=lambda: LikelihoodLevel.objects.values_list("value", flat=True),
    )
    impact = KnownNumberFilter(
        field_name="impact__value",
        label="Impact scale value, e.g. 4",
        known=lambda: ImpactLevel.objects.values_list("value", flat=True),
    )
    rating = KnownCharFilter(
        field_name="rating__name",
        lookup_expr="iexact",
        label="Rating name, in any case, e.g. High",
        known=lambda: RatingLevel.objects.values_list("name", flat=True),
        ignore_case=True,
    )
    min_rating_rank = IntegerFilter(
        field_name="rating__rank",
        lookup_expr="gte",
        min_value=1,
        label="Only sub-risks whose rating has at least this rank",
    )
    q = SearchFilter(search_fields=["statement", "rating_label"])
    ordering = subrisk_ordering(
        default=["area__register__reference", "area__number", "order", "key"]
    )

    class Meta:
        model = SubRisk
        fields = ["register", "area", "group", "likelihood", "impact", "rating"]


class LessonFilter(filters.FilterSet):
    register = register_filter("source__register")
    source = KnownCharFilter(
        field_name="source__key",
        label="Lesson source key, e.g. AM",
        known=lambda: LessonSource.objects.values_list("key", flat=True),
    )
    area = area_filter("related_areas")
    q = SearchFilter(search_fields=["problem", "lesson"])
    ordering = StableOrderingFilter(
        fields=[("source__order", "source"), ("number", "number")],
        default=[
            "source__register__reference",
            "source__order",
            "source__key",
            "number",
        ],
    )

    class Meta:
        model = Lesson
        fields = ["register", "source", "area"]


class GlossaryTermFilter(filters.FilterSet):
    register = register_filter("register")
    q = SearchFilter(search_fields=["abbreviation", "meaning"])
    ordering = StableOrderingFilter(
        fields=["abbreviation"],
        default=["register__reference", Lower("abbreviation"), "abbreviation"],
    )

    class Meta:
        model = GlossaryTerm
        fields = ["register"]


class RiskFactorFilter(filters.FilterSet):
    register = register_filter("area__register")
    area = area_filter("area")
    group = group_filter("area__group")
    style = filters.ChoiceFilter(choices=RiskFactor.Style.choices)
    q = SearchFilter(search_fields=["lead_in", "text"])
    ordering = StableOrderingFilter(
        fields=[
            ("area__number", "area"),
            ("order", "order"),
            ("updated_at", "updated_at"),
        ],
        default=["area__register__reference", "area__number", "order", "id"],
    )

    class Meta:
        model = RiskFactor
        fields = ["register", "area", "group", "style"]
