from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from mitigations.querysets import MitigationQuerySet
from risks import references
from risks.models import Archivable, RiskArea, SubRisk, TimeStamped


class Mitigation(TimeStamped, Archivable):
    """A current control or a proposed one, for an area or some of its sub-risks."""

    class Kind(models.TextChoices):
        CURRENT = "current", "Current"
        PROPOSED = "proposed", "Proposed"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        AGREED = "agreed", "Agreed"
        IN_PROGRESS = "in_progress", "In progress"
        IMPLEMENTED = "implemented", "Implemented"
        REJECTED = "rejected", "Rejected"

    area = models.ForeignKey(
        RiskArea, on_delete=models.CASCADE, related_name="mitigations"
    )
    subrisks = models.ManyToManyField(
        SubRisk,
        blank=True,
        related_name="mitigations",
        help_text="Leave empty when the mitigation applies to the whole area.",
    )
    reference = models.CharField(max_length=80, unique=True, editable=False)
    key = models.CharField(max_length=8, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    none_proposed = models.BooleanField(
        default=False,
        help_text="A statement that no mitigation is proposed; the text gives why.",
    )
    text = models.TextField()
    owner = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    due_date = models.DateField(null=True, blank=True)
    references = models.JSONField(
        default=list,
        blank=True,
        help_text="Licence conditions, serials, modifications and the like.",
    )

    objects = MitigationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[subrisks])

    class Meta:
        ordering = ["area__number", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["area", "key"], name="mitigation_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="current", status="")
                | Q(kind="proposed", none_proposed=True, status="")
                | (Q(kind="proposed", none_proposed=False) & ~Q(status="")),
                name="mitigation_status_matches_kind",
                violation_error_message=(
                    "A current mitigation or a 'none proposed' statement has no "
                    "status; a proposed mitigation needs one."
                ),
            ),
        ]

    def __str__(self):
        return self.reference

    def clean(self):
        if self.kind == self.Kind.PROPOSED and not self.none_proposed:
            if not self.status:
                raise ValidationError({"status": "Give the proposal's status."})
        elif self.status:
            raise ValidationError(
                {
                    "status": "Only a proposed mitigation has a status; leave it "
                    "empty for a current one or a 'none proposed' statement."
                }
            )

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = references.next_numbered_key(
                "M", set(self.area.mitigations.values_list("key", flat=True))
            )
        if not self.reference:
            self.reference = references.mitigation_reference(
                self.area.register.reference, self.area.number, self.key
            )
        super().save(*args, **kwargs)
