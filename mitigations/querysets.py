from django.db import models


class MitigationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, area__archived_at__isnull=True)

    def current(self):
        return self.filter(kind=self.model.Kind.CURRENT)

    def proposed(self):
        return self.filter(kind=self.model.Kind.PROPOSED)
