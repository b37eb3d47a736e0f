"""The FilterSet for mitigations. Unknown values give a 400."""

from django_filters import rest_framework as filters

from mitigations.models import Mitigation
from riskregister.api.filters import SearchFilter, StableOrderingFilter
from risks.api.filters import area_filter, group_filter, register_filter


class MitigationFilter(filters.FilterSet):
    register = register_filter("area__register")
    area = area_filter("area")
    group = group_filter("area__group")
    kind = filters.ChoiceFilter(choices=Mitigation.Kind.choices)
    status = filters.ChoiceFilter(choices=Mitigation.Status.choices)
    q = SearchFilter(search_fields=["text", "owner"])
    ordering = StableOrderingFilter(
        fields=[
            ("area__number", "area"),
            ("kind", "kind"),
            ("due_date", "due_date"),
            ("updated_at", "updated_at"),
        ],
        default=["area__register__reference", "area__number", "kind", "order", "key"],
    )

    class Meta:
        model = Mitigation
        fields = ["register", "area", "group", "kind", "status"]
