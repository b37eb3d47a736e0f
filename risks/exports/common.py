"""What every export shares: its scope, its file name and formula neutralising."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from risks.models import Register, RiskArea, SubRisk

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab
# and carriage return, may shift it into one), so such text is neutralised.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The mark put in front of such text; text that already starts with it gets one
# too, so that `restore_text` can always take exactly one away again.
NEUTRALISING_MARK = "'"

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def neutralise(value):
    """Text that a spreadsheet shows as text, never runs; other values unchanged.

    CSV and Excel exports pass every cell through here.
    """
    if isinstance(value, str) and value.startswith(
        (*FORMULA_TRIGGERS, NEUTRALISING_MARK)
    ):
        return NEUTRALISING_MARK + value
    return value


def restore_text(value):
    """Undoes `neutralise`, for text read back from one of our files."""
    if isinstance(value, str) and value.startswith(NEUTRALISING_MARK):
        return value[len(NEUTRALISING_MARK) :]
    return value


def export_filename(register, extension, *, today=None):
    """`<register reference>-<yyyy-mm-dd>.<extension>`, dated in local time."""
    today = today or timezone.localdate()
    return f"{register.reference}-{today:%Y-%m-%d}.{extension}"


@dataclass
class ExportScope:
    """What an export shows: a register, its live sub-risks as filtered, and the
    live areas whose narrative goes with them.

    `filters` names the filters applied as (label, value) pairs; an export with
    filters is a partial one, which the importer refuses to read back.
    """

    register: Register
    subrisks: QuerySet
    areas: QuerySet
    filters: list = field(default_factory=list)

    @property
    def partial(self):
        return bool(self.filters)

    @classmethod
    def for_register(cls, register, *, criteria=None, area_number=None, filters=()):
        """The scope for `SubRiskQuerySet.matching` criteria and, if given, one area."""
        subrisks = (
            SubRisk.objects.for_overview()
            .for_register(register)
            .matching(**(criteria or {}))
        )
        areas = RiskArea.objects.for_register(register).active()
        if area_number is not None:
            subrisks = subrisks.filter(area__number=area_number)
            areas = areas.filter(number=area_number)
        elif filters:
            areas = areas.filter(pk__in=subrisks.values("area"))
        return cls(
            register=register,
            subrisks=subrisks.order_by("area__number", "order", "key"),
            areas=areas.order_by("number"),
            filters=list(filters),
        )
