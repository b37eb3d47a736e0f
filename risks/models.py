from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from risks import references
from risks.querysets import (
    MatrixCellQuerySet,
    RiskAreaQuerySet,
    RiskFactorQuerySet,
    SubRiskQuerySet,
)

reference_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    "Use letters, digits, hyphens and underscores only (up to 32 characters).",
)
colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "Give the colour as #rrggbb, for example #c62828."
)


class TimeStamped(models.Model):
    """Creation and update times, and the revision that guards against lost updates."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    revision = models.PositiveIntegerField(
        default=1,
        help_text="Raised by one on every save; a write based on an older revision "
        "is refused.",
    )

    class Meta:
        abstract = True


class Archivable(models.Model):
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_archived(self):
        return self.archived_at is not None


class Register(TimeStamped, Archivable):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        CONSULTATION = "consultation", "Consultation"
        IN_USE = "in_use", "In use"
        NO_LONGER_IN_USE = "no_longer_in_use", "No longer in use"

    reference = models.CharField(
        max_length=32,
        unique=True,
        validators=[reference_validator],
        help_text="Prefix of every stable reference in the register, e.g. SRR-2017.",
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20, blank=True)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    effective_date = models.DateField(null=True, blank=True)
    approving_body = models.CharField(max_length=200, blank=True)
    paper_reference = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    source_citation = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_date", "reference"]

    def __str__(self):
        return f"{self.reference} {self.name}"

    def get_absolute_url(self):
        return reverse("risks:register-detail", args=[self.reference])


class Methodology(TimeStamped):
    """How a register rates risks: two scales, the rating levels and the matrix."""

    register = models.OneToOneField(
        Register, on_delete=models.CASCADE, related_name="methodology"
    )
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField(
        default=1, help_text="Raised by one every time the matrix or scales change."
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "methodologies"

    def __str__(self):
        return f"{self.name} ({self.register.reference}, version {self.version})"

    def get_absolute_url(self):
        return reverse("risks:methodology-detail", args=[self.register.reference])


class MethodologyVersion(models.Model):
    """A saved state of a methodology: who saved it, when, why, and what it was."""

    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)
    snapshot = models.JSONField(
        help_text="Scales, rating levels and matrix as in the register document."
    )

    class Meta:
        ordering = ["methodology", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "version"], name="methodology_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.methodology} version {self.version}"


class ScaleLevel(models.Model):
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    label = models.CharField(max_length=50)
    definition = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["value"]

    def __str__(self):
        return self.label


class LikelihoodLevel(ScaleLevel):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="likelihood_levels"
    )

    history = HistoricalRecords()

    class Meta(ScaleLevel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "value"], name="likelihood_value_unique"
            ),
            models.UniqueConstraint(
                fields=["methodology", "label"], name="likelihood_label_unique"
            ),
        ]


class ImpactLevel(ScaleLevel):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="impact_levels"
    )

    history = HistoricalRecords()

    class Meta(ScaleLevel.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "value"], name="impact_value_unique"
            ),
            models.UniqueConstraint(
                fields=["methodology", "label"], name="impact_label_unique"
            ),
        ]


class RatingLevel(models.Model):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="rating_levels"
    )
    rank = models.PositiveSmallIntegerField(
        help_text="1 is the least severe rating; higher ranks are worse."
    )
    name = models.CharField(max_length=50)
    colour = models.CharField(max_length=7, validators=[colour_validator])
    description = models.TextField(blank=True)
    review_interval_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How often a risk with this rating should be reviewed.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["methodology", "rank"], name="rating_rank_unique"
            ),
            models.UniqueConstraint(
                fields=["methodology", "name"], name="rating_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def text_colour(self):
        """Black or white, whichever reads better on the rating's colour."""
        from riskregister.lib.colour import readable_text_colour

        return readable_text_colour(self.colour)


class MatrixCell(models.Model):
    methodology = models.ForeignKey(
        Methodology, on_delete=models.CASCADE, related_name="cells"
    )
    likelihood = models.ForeignKey(
        LikelihoodLevel, on_delete=models.CASCADE, related_name="cells"
    )
    impact = models.ForeignKey(
        ImpactLevel, on_delete=models.CASCADE, related_name="cells"
    )
    rating = models.ForeignKey(
        RatingLevel, on_delete=models.RESTRICT, related_name="cells"
    )

    objects = MatrixCellQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-likelihood__value", "impact__value"]
        constraints = [
            models.UniqueConstraint(
                fields=["likelihood", "impact"], name="matrix_cell_unique"
            ),
        ]

    def __str__(self):
        return f"{self.likelihood} x {self.impact}: {self.rating}"

    def save(self, *args, **kwargs):
        from risks.rating import recompute_ratings

        super().save(*args, **kwargs)
        recompute_ratings(
            SubRisk.objects.filter(likelihood=self.likelihood_id, impact=self.impact_id)
        )

    @property
    def score(self):
        return self.likelihood.value * self.impact.value


class RiskArea(TimeStamped, Archivable):
    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="areas"
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)
    group = models.CharField(
        max_length=100, blank=True, help_text='For example "Data Retrieval".'
    )
    statement = models.TextField()
    rating_commentary = models.TextField(blank=True)
    settlement_impact = models.TextField(blank=True)
    market_impact = models.TextField(blank=True)
    see_also = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="referred_from"
    )

    objects = RiskAreaQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[see_also])

    class Meta:
        ordering = ["register", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "number"], name="area_number_unique"
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = references.area_reference(
                self.register.reference, self.number
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("risks:area-detail", args=[self.register.reference, self.number])

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) != ("register", "number"):
            return super().unique_error_message(model_class, unique_check)
        # Named on the number, the field a writer can change to resolve it.
        archived = RiskArea.objects.filter(
            register=self.register_id, number=self.number, archived_at__isnull=False
        ).exists()
        message = (
            "Area %(number)s of this register is archived; restore it, or choose "
            "another number."
            if archived
            else "This register already has an area %(number)s."
        )
        error = ValidationError(
            {
                "number": ValidationError(
                    message, code="unique", params={"number": self.number}
                )
            }
        )
        # The constraint raises this again with its code, which a dict error lacks.
        error.code = "unique"
        return error


class SubRisk(TimeStamped, Archivable):
    """One rated risk within an area; its rating is always the matrix's."""

    area = models.ForeignKey(
        RiskArea, on_delete=models.CASCADE, related_name="subrisks"
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    key = models.CharField(max_length=8, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    statement = models.TextField()
    rating_label = models.CharField(
        max_length=300,
        blank=True,
        help_text="The rating table's label, e.g. \"Likelihood of regional network "
        'failures".',
    )
    likelihood = models.ForeignKey(
        LikelihoodLevel, on_delete=models.RESTRICT, related_name="subrisks"
    )
    impact = models.ForeignKey(
        ImpactLevel, on_delete=models.RESTRICT, related_name="subrisks"
    )
    rating = models.ForeignKey(
        RatingLevel,
        on_delete=models.RESTRICT,
        related_name="subrisks",
        help_text="Always the matrix's rating for the likelihood and impact.",
    )
    methodology_version = models.PositiveIntegerField(
        help_text="The methodology version that produced the rating."
    )
    reviewed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the workgroup last reviewed the rating; the rating level's "
        "review interval runs from here.",
    )

    objects = SubRiskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__number", "order", "key"]
        verbose_name = "sub-risk"
        constraints = [
            models.UniqueConstraint(fields=["area", "key"], name="subrisk_key_unique"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        from risks.rating import rate_subrisk

        if not self.key:
            self.key = references.next_letter_key(
                set(
                    SubRisk.objects.filter(area=self.area).values_list("key", flat=True)
                )
            )
        if not self.reference:
            self.reference = references.subrisk_reference(
                self.area.register.reference, self.area.number, self.key
            )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "rating",
                "methodology_version",
            }
        with transaction.atomic():
            rate_subrisk(self)
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.area.get_absolute_url()}#subrisk-{self.key}"

    def clean(self):
        methodology_id = self.area.register.methodology.pk if self.area_id else None
        errors = {}
        if self.likelihood_id and self.likelihood.methodology_id != methodology_id:
            errors["likelihood"] = "Choose a likelihood of this register's scale."
        if self.impact_id and self.impact.methodology_id != methodology_id:
            errors["impact"] = "Choose an impact of this register's scale."
        if self.reviewed_on and self.reviewed_on > timezone.localdate():
            errors["reviewed_on"] = (
                "Last reviewed on cannot be in the future; give the date of the "
                "review, today or before."
            )
        if errors:
            raise ValidationError(errors)


class RiskFactor(TimeStamped, Archivable):
    class Style(models.TextChoices):
        BULLET = "bullet", "Bullet point"
        PARAGRAPH = "paragraph", "Paragraph"

    area = models.ForeignKey(
        RiskArea, on_delete=models.CASCADE, related_name="risk_factors"
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    key = models.CharField(max_length=8, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    style = models.CharField(
        max_length=10, choices=Style.choices, default=Style.PARAGRAPH
    )
    lead_in = models.TextField(
        blank=True, help_text="The sentence introducing the bullet list it belongs to."
    )
    text = models.TextField()

    objects = RiskFactorQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__number", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "key"], name="factor_key_unique"),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = references.next_numbered_key(
                "F", set(self.area.risk_factors.values_list("key", flat=True))
            )
        if not self.reference:
            self.reference = references.factor_reference(
                self.area.register.reference, self.area.number, self.key
            )
        super().save(*args, **kwargs)


class LessonSource(models.Model):
    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="lesson_sources"
    )
    key = models.CharField(max_length=16, validators=[reference_validator])
    name = models.CharField(max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["register", "order", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "key"], name="lesson_source_key_unique"
            ),
        ]

    def __str__(self):
        return self.name


class Lesson(TimeStamped, Archivable):
    source = models.ForeignKey(
        LessonSource, on_delete=models.CASCADE, related_name="lessons"
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    number = models.PositiveSmallIntegerField()
    problem = models.TextField(help_text="The problem met and how it was solved.")
    lesson = models.TextField(help_text="The lesson for the smart roll-out.")
    related_areas = models.ManyToManyField(RiskArea, blank=True, related_name="lessons")

    history = HistoricalRecords(m2m_fields=[related_areas])

    class Meta:
        ordering = ["source__order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "number"], name="lesson_number_unique"
            ),
        ]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        if not self.reference:
            self.reference = references.lesson_reference(
                self.source.register.reference, self.source.key, self.number
            )
        super().save(*args, **kwargs)


class GlossaryTerm(TimeStamped):
    register = models.ForeignKey(
        Register, on_delete=models.CASCADE, related_name="glossary"
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    abbreviation = models.CharField(max_length=32)
    meaning = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["register", Lower("abbreviation")]
        constraints = [
            models.UniqueConstraint(
                fields=["register", "abbreviation"], name="glossary_term_unique"
            ),
        ]

    def __str__(self):
        return f"{self.abbreviation}: {self.meaning}"

    def save(self, *args, **kwargs):
        self.reference = references.glossary_reference(
            self.register.reference, self.abbreviation
        )
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A named credential for another system; only a hash of the key is kept."""

    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"], name="api_token_name_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class ContentVersion(models.Model):
    """One row, raised after every committed change to register content.

    API lists are versioned by it: their ETags and Last-Modified come from it,
    and so does the key their rendered bodies are kept under. See
    risks.content_version for how it is raised.
    """

    number = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"content version {self.number}"


class ImportBatch(models.Model):
    """An uploaded register file, checked in a dry run and applied on confirmation."""

    class Format(models.TextChoices):
        JSON = "json", "JSON"
        XLSX = "xlsx", "Excel"

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=4, choices=Format.choices)
    content = models.BinaryField()
    register = models.ForeignKey(
        Register,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="imports",
        help_text="The register the file is applied to; empty for a new register.",
    )
    preview = models.JSONField(default=dict, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "import batches"

    def __str__(self):
        return f"{self.filename} ({self.created_at:%d %b %Y %H:%M})"
