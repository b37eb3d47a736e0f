from django.db import models
from django.db.models import Exists, OuterRef, Prefetch


class MitigationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, area__archived_at__isnull=True)

    def current(self):
        return self.filter(kind=self.model.Kind.CURRENT)

    def proposed(self):
        return self.filter(kind=self.model.Kind.PROPOSED)

    def for_api(self):
        """Live mitigations of live registers, with their area and live sub-risks.

        `applies_to_area` is whether it names no sub-risk at all: one whose
        sub-risks are all archived shows none, yet still addresses only them.
        """
        from risks.models import SubRisk

        links = self.model.subrisks.through.objects.filter(mitigation=OuterRef("pk"))
        return (
            self.active()
            .filter(area__register__archived_at__isnull=True)
            .annotate(applies_to_area=~Exists(links))
            .select_related("area__register")
            .prefetch_related(
                Prefetch("subrisks", queryset=SubRisk.objects.active().order_by("key"))
            )
        )
