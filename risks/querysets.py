import datetime as dt

from django.db import models
from django.db.models import BooleanField, Case, F, Max, Prefetch, Q, Value, When
from django.db.models.functions import Coalesce, Greatest, Least, TruncDate
from django.utils import timezone

from riskregister.lib.dates import AddDays


class MatrixCellQuerySet(models.QuerySet):
    def for_grid(self):
        """Cells with their levels and rating, ready to draw the matrix."""
        return self.select_related("likelihood", "impact", "rating")


class RiskAreaQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True)

    def for_register(self, register):
        return self.filter(register=register)

    def with_worst_rank(self):
        """Annotates `worst_rank`, the highest rank among the area's live sub-risks."""
        return self.annotate(
            worst_rank=Max(
                "subrisks__rating__rank",
                filter=Q(subrisks__archived_at__isnull=True),
            )
        )

    def for_register_page(self):
        """Live areas with everything section 6 shows, in a fixed number of queries."""
        from mitigations.models import Mitigation
        from risks.models import RiskFactor, SubRisk

        return (
            self.active()
            .select_related("register")
            .prefetch_related(
                Prefetch(
                    "subrisks",
                    queryset=SubRisk.objects.active().for_display().with_review_due(),
                ),
                Prefetch(
                    "risk_factors",
                    queryset=RiskFactor.objects.filter(archived_at__isnull=True),
                ),
                Prefetch(
                    "mitigations",
                    queryset=Mitigation.objects.active().prefetch_related("subrisks"),
                ),
                Prefetch(
                    "see_also",
                    queryset=self.model.objects.active().order_by("number"),
                ),
                "lessons__source",
            )
        )

    def for_api(self):
        """Live areas of live registers, with what the API nests, in fixed queries."""
        from mitigations.models import Mitigation
        from risks.models import RiskFactor, SubRisk

        return (
            self.active()
            .filter(register__archived_at__isnull=True)
            .with_worst_rank()
            .select_related("register")
            .prefetch_related(
                Prefetch("subrisks", queryset=SubRisk.objects.active().for_display()),
                Prefetch(
                    "risk_factors",
                    queryset=RiskFactor.objects.filter(archived_at__isnull=True),
                ),
                Prefetch("mitigations", queryset=Mitigation.objects.for_api()),
                Prefetch(
                    "see_also",
                    queryset=self.model.objects.active().order_by("number"),
                ),
            )
        )


class SubRiskQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, area__archived_at__isnull=True)

    def for_display(self):
        """Sub-risks with their levels and rating, for tables and the API."""
        return self.select_related("likelihood", "impact", "rating")

    def for_register(self, register):
        return self.filter(area__register=register)

    def for_api(self):
        """Live sub-risks of live registers, with their area, register and levels."""
        return (
            self.active()
            .filter(area__register__archived_at__isnull=True)
            .select_related("area__register")
            .for_display()
        )

    def for_ratings_feed(self):
        """Live sub-risks as rows of what the ratings feed shows, and `changed_at`.

        Rows are dicts, not models, and name their levels and rating by id, to
        be looked up in `risks.api.ratings.LevelLookups`: a page of 100 would
        otherwise make 600 model instances, and PostgreSQL took longer to plan
        the join of seven tables than to run it.

        `changed_at` is the later of the sub-risk's own update and its register's
        methodology's, since a methodology change rates sub-risks again in bulk.
        """
        return (
            self.for_api()
            .annotate(
                changed_at=Greatest(
                    "updated_at", "area__register__methodology__updated_at"
                )
            )
            .values(
                "reference",
                "methodology_version",
                "changed_at",
                "likelihood_id",
                "impact_id",
                "rating_id",
                area_reference=F("area__reference"),
            )
        )

    def removed_from_feed(self):
        """Sub-risks the ratings feed no longer shows, as rows of `reference` and
        `removed_at`.

        A sub-risk leaves the feed when it, its area or its register is
        archived; `removed_at` is the earliest of those archive times still
        standing, which is when it last left, since a restore clears its own.
        """
        # Least() of a null is null on SQLite, so an unset time counts as never.
        never = Value(dt.datetime.max.replace(tzinfo=dt.UTC))
        return (
            self.filter(
                Q(archived_at__isnull=False)
                | Q(area__archived_at__isnull=False)
                | Q(area__register__archived_at__isnull=False)
            )
            .annotate(
                removed_at=Least(
                    Coalesce("archived_at", never),
                    Coalesce("area__archived_at", never),
                    Coalesce("area__register__archived_at", never),
                )
            )
            .values("reference", "removed_at")
        )

    def for_overview(self):
        """Live sub-risks with their area, levels and rating, for the summary table."""
        return (
            self.active()
            .for_display()
            .select_related("area__register")
            .with_review_due()
        )

    def with_review_due(self, today=None):
        """Annotates `review_due_on` and `review_due` (True once that date passed).

        A review falls due when the rating level has a review interval: that many
        days after the last review, or after the sub-risk was recorded if it never
        was reviewed. `today` defaults to the local date.
        """
        today = today or timezone.localdate()
        return self.annotate(
            review_due_on=AddDays(
                Coalesce("reviewed_on", TruncDate("created_at")),
                F("rating__review_interval_days"),
            ),
            review_due=Case(
                When(review_due_on__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )

    def matching(
        self,
        *,
        rating="",
        likelihood=None,
        impact=None,
        group="",
        text="",
        review_due=False,
    ):
        """Narrows to the overview's filters; empty criteria are ignored.

        `rating` is a rating name, `likelihood` and `impact` are scale values and
        `text` is searched in the sub-risk's statement and its area's name and
        statement. `review_due` needs `with_review_due()` first.
        """
        queryset = self
        if review_due:
            queryset = queryset.filter(review_due=True)
        if rating:
            queryset = queryset.filter(rating__name=rating)
        if likelihood is not None:
            queryset = queryset.filter(likelihood__value=likelihood)
        if impact is not None:
            queryset = queryset.filter(impact__value=impact)
        if group:
            queryset = queryset.filter(area__group=group)
        if text:
            queryset = queryset.filter(
                Q(statement__icontains=text)
                | Q(rating_label__icontains=text)
                | Q(area__name__icontains=text)
                | Q(area__statement__icontains=text)
            )
        return queryset

    def bulk_create(self, objs, *args, **kwargs):
        from risks.rating import Matrix

        matrices = {}
        for subrisk in objs:
            methodology_id = subrisk.likelihood.methodology_id
            if methodology_id not in matrices:
                matrices[methodology_id] = Matrix.for_methodology_id(methodology_id)
            matrices[methodology_id].rate(subrisk)
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        """Updates rows and, when a level changed, rates them again from the matrix."""
        from risks.rating import recompute_ratings

        if "rating" in kwargs or "rating_id" in kwargs:
            raise ValueError("Ratings come from the matrix and cannot be set.")
        if not {"likelihood", "likelihood_id", "impact", "impact_id"} & kwargs.keys():
            return super().update(**kwargs)
        ids = list(self.values_list("pk", flat=True))
        count = super().update(**kwargs)
        recompute_ratings(self.model.objects.filter(pk__in=ids))
        return count


class RiskFactorQuerySet(models.QuerySet):
    def active(self):
        return self.filter(archived_at__isnull=True, area__archived_at__isnull=True)

    def for_api(self):
        """Live risk factors of live registers, with their area and register."""
        return (
            self.active()
            .filter(area__register__archived_at__isnull=True)
            .select_related("area__register")
        )
