from django.db import models
from django.db.models import Prefetch


class MitigationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, area__archived_at__isnull=True)

    def current(self):
        return self.filter(kind=self.model.Kind.CURRENT)

    def proposed(self):
        return self.filter(kind=self.model.Kind.PROPOSED)

    def for_api(self):
        """Live mitigations of live registers, with their area and live sub-risks."""
        from risks.models import SubRisk

        return (
            self.active()
            .filter(area__register__archived_at__isnull=True)
            .select_related("area__register")
            .prefetch_related(
                Prefetch("subrisks", queryset=SubRisk.objects.active().order_by("key"))
            )
        )
