"""Filter building blocks with no domain meaning, shared by the apps' FilterSets.

Every filter here refuses a value it does not know, so a typo in a query string
gives a 400 naming the parameter instead of a silently empty or unfiltered list.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.expressions import BaseExpression
from django_filters import rest_framework as filters


class KnownValueFieldMixin:
    """Accepts only a value that `known()` returns; case-insensitively if asked."""

    def __init__(self, *args, known, ignore_case=False, **kwargs):
        self.known = known
        self.ignore_case = ignore_case
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value in self.empty_values:
            return
        known = sorted(set(self.known()))
        if self._normalise(value) not in {self._normalise(item) for item in known}:
            raise ValidationError(
                "Unknown value “%(value)s”; use one of: %(known)s.",
                code="invalid_choice",
                params={"value": value, "known": ", ".join(map(str, known))},
            )

    def _normalise(self, value):
        return value.casefold() if self.ignore_case else value


class KnownCharField(KnownValueFieldMixin, forms.CharField):
    pass


class KnownIntegerField(KnownValueFieldMixin, forms.IntegerField):
    pass


class KnownCharFilter(filters.CharFilter):
    """A text filter whose value must be one of `known()`, e.g. a rating name."""

    field_class = KnownCharField


class KnownNumberFilter(filters.NumberFilter):
    """A whole-number filter whose value must be one of `known()`, e.g. a level."""

    field_class = KnownIntegerField


class IntegerFilter(filters.NumberFilter):
    """A number filter that takes whole numbers only."""

    field_class = forms.IntegerField


class SearchFilter(filters.CharFilter):
    """Case-insensitive containment search over several text fields at once."""

    def __init__(self, *args, search_fields, **kwargs):
        self.search_fields = search_fields
        kwargs.setdefault("label", "Text search over " + ", ".join(search_fields))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__icontains": value})
        return qs.filter(condition)


def _nulls_low(name):
    # Ascending puts missing values first on every database, descending last.
    if name.startswith("-"):
        return F(name[1:]).desc(nulls_last=True)
    return F(name).asc(nulls_first=True)


class StableOrderingFilter(filters.OrderingFilter):
    """Orders by the requested fields, then by `default`, so pages never shuffle.

    `default` must identify a row uniquely; it also applies when no ordering is
    requested.
    """

    def __init__(self, *args, default, **kwargs):
        self.default = [
            item if isinstance(item, BaseExpression) else _nulls_low(item)
            for item in default
        ]
        kwargs.setdefault(
            "help_text",
            "Comma-separated fields to order by; prefix a field with - to reverse it.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        # Empty items, as in "reference," or ",", ask for nothing and are skipped.
        requested = [
            _nulls_low(self.get_ordering_value(param)) for param in value or [] if param
        ]
        return qs.order_by(*requested, *self.default)
