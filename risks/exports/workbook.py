"""The Excel workbook: a document to send to the Panel, and a file to import back.

Sheets, in order: Info (the register, the export and how to edit the file),
Summary (laid out like the source's section 2; not read on import), Register (one
row per sub-risk), Areas, Risk factors, Mitigations, Lessons, Lesson sources,
Glossary, Matrix (the coloured grid), Scales and Rating levels. The sheet names
and column headers below are the format that `risks.imports.workbook` reads.

The workbook is written in openpyxl's write-only mode, row by row, so a large
register does not build a tree of cells in memory. Every text cell goes through
`neutralise`; ratings are read as stored and shown as their name on their colour.
"""

import datetime
import io

from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from mitigations.models import Mitigation
from risks.exports.common import neutralise
from risks.exports.document import areas_with_content
from risks.models import Lesson, LessonSource, RiskFactor
from risks.views.register import summary_groups

FORMAT_MARK = "smart-risk-register workbook, version 1"
NO_FILTERS = "None: the whole register"
DATE_FORMAT = "d mmmm yyyy"
LIST_SEPARATOR = ", "
# Excel holds at most this many characters in a cell (and openpyxl silently drops
# the rest), so longer text is cut visibly, with this marker, which the importer
# refuses rather than saving the cut text.
CELL_LIMIT = 32767
CUT_MARKER = "… [cut: too long for Excel; use the JSON export]"
REFERENCE_SEPARATOR = "; "

INFO = "Info"
SUMMARY = "Summary"
REGISTER = "Register"
AREAS = "Areas"
FACTORS = "Risk factors"
MITIGATIONS = "Mitigations"
LESSONS = "Lessons"
SOURCES = "Lesson sources"
GLOSSARY = "Glossary"
MATRIX = "Matrix"
SCALES = "Scales"
RATINGS = "Rating levels"

# Info sheet: label in column A -> register document field (None: shown only).
INFO_FIELDS = {
    "Reference": "reference",
    "Name": "name",
    "Version": "version",
    "Status": "status",
    "Effective date": "effective_date",
    "Approving body": "approving_body",
    "Paper reference": "paper_reference",
    "Description": "description",
    "Source citation": "source_citation",
    "Methodology": "methodology",
    "Methodology version": None,
    "Exported at": None,
    "Filters": None,
    "Format": None,
    "Note": None,
}

# Each data sheet: (header, width, wrapped). Headers are what the importer reads.
COLUMNS = {
    REGISTER: [
        ("Reference", 18, False),
        ("Area", 7, False),
        ("Area name", 24, True),
        ("Group", 16, True),
        ("Description", 60, True),
        ("Rating label", 30, True),
        ("Likelihood", 13, False),
        ("Settlement impact", 13, False),
        ("Rating", 12, False),
    ],
    AREAS: [
        ("Number", 9, False),
        ("Reference", 14, False),
        ("Name", 26, True),
        ("Group", 16, True),
        ("Description", 60, True),
        ("Risk rating commentary", 60, True),
        ("Settlement impact", 60, True),
        ("Market impact", 60, True),
        ("See also", 12, False),
    ],
    FACTORS: [
        ("Reference", 18, False),
        ("Area", 7, False),
        ("Style", 13, False),
        ("Lead-in", 40, True),
        ("Text", 70, True),
    ],
    MITIGATIONS: [
        ("Reference", 18, False),
        ("Area", 7, False),
        ("Kind", 10, False),
        ("None proposed", 10, False),
        ("Text", 70, True),
        ("Owner", 20, True),
        ("Status", 13, False),
        ("Due date", 16, False),
        ("References", 24, True),
        ("Sub-risks", 11, False),
    ],
    LESSONS: [
        ("Reference", 18, False),
        ("Source", 9, False),
        ("Number", 9, False),
        ("Problem", 70, True),
        ("Lesson", 70, True),
        ("Related areas", 13, False),
    ],
    SOURCES: [("Key", 10, False), ("Name", 40, True)],
    GLOSSARY: [("Abbreviation", 16, False), ("Meaning", 60, True)],
    SCALES: [
        ("Scale", 18, False),
        ("Value", 8, False),
        ("Label", 18, False),
        ("Definition", 60, True),
    ],
    RATINGS: [
        ("Rank", 7, False),
        ("Name", 16, False),
        ("Colour", 10, False),
        ("Description", 40, True),
        ("Review interval (days)", 14, False),
    ],
}
SUMMARY_COLUMNS = [
    ("Risk area", 26, True),
    ("Ref", 7, False),
    ("Description", 70, True),
    ("Likelihood", 13, False),
    ("Settlement impact", 13, False),
    ("Settlement risk rating", 14, False),
]
SCALE_NAMES = {"likelihood_levels": "Likelihood", "impact_levels": "Settlement impact"}
YES, NO = "Yes", "No"

_THIN = Side(style="thin", color="FF9AA5B4")
_HEADER_FONT = Font(bold=True, color="FFFFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="FF173A5E")
_HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="center")
_GROUP_FONT = Font(bold=True, color="FF0F2942")
_GROUP_FILL = PatternFill("solid", fgColor="FFE3E9F1")
_TITLE_FONT = Font(bold=True, size=14, color="FF0F2942")
_LABEL_FONT = Font(bold=True)
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def argb(colour):
    """`#c62828` as openpyxl's opaque `FFC62828`."""
    return "FF" + colour.lstrip("#").upper()


# Named styles: a cell takes one in a single step, which keeps a large export fast.
TEXT, WRAPPED, DATE = "Register text", "Register wrapped text", "Register date"


def _add_text_styles(workbook):
    workbook.add_named_style(NamedStyle(name=TEXT, alignment=_TOP))
    workbook.add_named_style(NamedStyle(name=WRAPPED, alignment=_WRAP))
    workbook.add_named_style(
        NamedStyle(name=DATE, alignment=_TOP, number_format=DATE_FORMAT)
    )


class RatingStyles:
    """A named style per rating level (its colour, and black or white text)."""

    def __init__(self, workbook, ratings):
        self._names = {}
        for rating in ratings:
            for grid, alignment in ((False, _TOP), (True, _CENTRE)):
                name = f"Rating {rating.rank}{' in grid' if grid else ''}"
                workbook.add_named_style(
                    NamedStyle(
                        name=name,
                        fill=PatternFill("solid", fgColor=argb(rating.colour)),
                        font=Font(bold=True, color=argb(rating.text_colour)),
                        border=_BORDER,
                        alignment=alignment,
                    )
                )
                self._names[rating.pk, grid] = name

    def paint(self, cell, rating, *, grid=False):
        cell.style = self._names[rating.pk, grid]
        return cell


def fit_cell(value):
    """Text cut to Excel's cell limit, ending with `CUT_MARKER` when it was cut."""
    if isinstance(value, str) and len(value) > CELL_LIMIT:
        return value[: CELL_LIMIT - len(CUT_MARKER)] + CUT_MARKER
    return value


class _Sheet:
    """A write-only sheet with a styled, frozen header row and column widths."""

    def __init__(self, workbook, title, columns, *, header_row=1):
        self.sheet = workbook.create_sheet(title)
        self.columns = columns
        self.rows = 0
        for index, (_, width, _) in enumerate(columns, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = f"A{header_row + 1}"

    def cell(self, value, *, wrapped=False, date=False):
        cell = WriteOnlyCell(self.sheet, value=fit_cell(neutralise(value)))
        cell.style = DATE if date else WRAPPED if wrapped else TEXT
        return cell

    def header(self):
        cells = []
        for header, _, _ in self.columns:
            cell = WriteOnlyCell(self.sheet, value=header)
            cell.font = _HEADER_FONT
            cell.fill = _HEADER_FILL
            cell.alignment = _HEADER_ALIGNMENT
            cells.append(cell)
        self.append(cells)

    def append(self, cells):
        self.sheet.append(cells)
        self.rows += 1

    def row(self, values):
        """Appends plain values, wrapped where the column says so."""
        self.append(
            [
                value
                if isinstance(value, Cell)
                else self.cell(value, wrapped=wrapped, date=_is_date(value))
                for value, (_, _, wrapped) in zip(values, self.columns, strict=True)
            ]
        )

    def filter_all(self, header_row=1):
        if self.rows > header_row:
            last = get_column_letter(len(self.columns))
            self.sheet.auto_filter.ref = f"A{header_row}:{last}{self.rows}"


def _is_date(value):
    return isinstance(value, datetime.date)


def _exported_at_text(moment):
    local = timezone.localtime(moment)
    return f"{date_format(local, 'j F Y, H:i')} ({local.tzname()})"


def _info_sheet(workbook, register, methodology, *, filters, exported_at):
    sheet = _Sheet(workbook, INFO, [("Field", 22, False), ("Value", 90, True)])
    sheet.sheet.freeze_panes = None
    title = WriteOnlyCell(sheet.sheet, value=neutralise(register.name))
    title.font = _TITLE_FONT
    sheet.append([title])
    sheet.append([])

    def line(label, value, **kwargs):
        cell = WriteOnlyCell(sheet.sheet, value=label)
        cell.font = _LABEL_FONT
        cell.alignment = _TOP
        sheet.append([cell, sheet.cell(value, wrapped=True, **kwargs)])

    line("Reference", register.reference)
    line("Name", register.name)
    line("Version", register.version)
    line("Status", register.get_status_display())
    line("Effective date", register.effective_date, date=True)
    line("Approving body", register.approving_body)
    line("Paper reference", register.paper_reference)
    line("Description", register.description)
    line("Source citation", register.source_citation)
    line("Methodology", methodology.name)
    line("Methodology version", methodology.version)
    line("Exported at", _exported_at_text(exported_at))
    line(
        "Filters",
        "; ".join(f"{label}: {value}" for label, value in filters) or NO_FILTERS,
    )
    line("Format", FORMAT_MARK)
    sheet.append([])
    for note in (
        "Records are matched by their Reference. Leave the Reference empty on a new "
        "row of the Register, Risk factors or Mitigations sheet to add a record; "
        "remove a row to archive the record.",
        "Likelihood and settlement impact may be given as a label (Very High) or a "
        "value (5). The Rating column is worked out from the matrix on import, "
        "and the Summary sheet is not read.",
        "Scales, rating levels and the matrix are changed on the methodology page, "
        "not by importing: an import whose methodology differs is refused.",
        "A workbook exported with filters holds part of the register and cannot "
        "be imported.",
    ):
        line("Note", note)


def _summary_sheet(workbook, register, subrisks, ratings, filters):
    sheet = _Sheet(workbook, SUMMARY, SUMMARY_COLUMNS, header_row=3)
    title = WriteOnlyCell(
        sheet.sheet, value=neutralise(f"{register.name}: summary of risks")
    )
    title.font = _TITLE_FONT
    sheet.append([title])
    caption = "; ".join(f"{label}: {value}" for label, value in filters)
    sheet.append(
        [sheet.cell(f"Filtered by {caption}" if caption else "Every live sub-risk")]
    )
    sheet.header()
    width = len(SUMMARY_COLUMNS)
    for group in summary_groups(subrisks):
        if group["name"]:
            cells = [sheet.cell(group["name"])] + [
                WriteOnlyCell(sheet.sheet) for _ in range(width - 1)
            ]
            for cell in cells:
                cell.font = _GROUP_FONT
                cell.fill = _GROUP_FILL
            sheet.append(cells)
        for row in group["areas"]:
            area = row["area"]
            for index, subrisk in enumerate(row["subrisks"]):
                rating = WriteOnlyCell(sheet.sheet, value=subrisk.rating.name)
                sheet.row(
                    [
                        f"{area.number}. {area.name}" if index == 0 else None,
                        f"{area.number}.{subrisk.key}",
                        subrisk.statement,
                        subrisk.likelihood.label,
                        subrisk.impact.label,
                        ratings.paint(rating, subrisk.rating),
                    ]
                )


def _register_sheet(workbook, subrisks, ratings):
    sheet = _Sheet(workbook, REGISTER, COLUMNS[REGISTER])
    sheet.header()
    for subrisk in subrisks:
        area = subrisk.area
        rating = WriteOnlyCell(sheet.sheet, value=subrisk.rating.name)
        sheet.row(
            [
                subrisk.reference,
                area.number,
                area.name,
                area.group,
                subrisk.statement,
                subrisk.rating_label,
                subrisk.likelihood.label,
                subrisk.impact.label,
                ratings.paint(rating, subrisk.rating),
            ]
        )
    sheet.filter_all()


def _numbers(values):
    return LIST_SEPARATOR.join(str(value) for value in values)


def _area_sheets(workbook, areas):
    area_sheet = _Sheet(workbook, AREAS, COLUMNS[AREAS])
    factor_sheet = _Sheet(workbook, FACTORS, COLUMNS[FACTORS])
    mitigation_sheet = _Sheet(workbook, MITIGATIONS, COLUMNS[MITIGATIONS])
    for sheet in (area_sheet, factor_sheet, mitigation_sheet):
        sheet.header()
    styles = dict(RiskFactor.Style.choices)
    kinds = dict(Mitigation.Kind.choices)
    statuses = dict(Mitigation.Status.choices)
    for area in areas:
        area_sheet.row(
            [
                area.number,
                area.reference,
                area.name,
                area.group,
                area.statement,
                area.rating_commentary,
                area.settlement_impact,
                area.market_impact,
                _numbers(other.number for other in area.see_also.all()),
            ]
        )
        for factor in area.risk_factors.all():
            factor_sheet.row(
                [
                    factor.reference,
                    area.number,
                    styles[factor.style],
                    factor.lead_in,
                    factor.text,
                ]
            )
        for mitigation in area.mitigations.all():
            mitigation_sheet.row(
                [
                    mitigation.reference,
                    area.number,
                    kinds[mitigation.kind],
                    YES if mitigation.none_proposed else NO,
                    mitigation.text,
                    mitigation.owner,
                    statuses.get(mitigation.status, ""),
                    mitigation.due_date,
                    REFERENCE_SEPARATOR.join(mitigation.references),
                    LIST_SEPARATOR.join(s.key for s in mitigation.subrisks.all()),
                ]
            )
    for sheet in (area_sheet, factor_sheet, mitigation_sheet):
        sheet.filter_all()


def _lesson_sheets(workbook, register):
    lessons = (
        Lesson.objects.filter(archived_at__isnull=True, source__register=register)
        .select_related("source")
        .order_by("source__order", "source__key", "number")
        .prefetch_related("related_areas")
    )
    sheet = _Sheet(workbook, LESSONS, COLUMNS[LESSONS])
    sheet.header()
    for lesson in lessons:
        related = sorted(
            area.number for area in lesson.related_areas.all() if not area.is_archived
        )
        sheet.row(
            [
                lesson.reference,
                lesson.source.key,
                lesson.number,
                lesson.problem,
                lesson.lesson,
                _numbers(related),
            ]
        )
    sheet.filter_all()

    sheet = _Sheet(workbook, SOURCES, COLUMNS[SOURCES])
    sheet.header()
    for source in LessonSource.objects.filter(register=register).order_by(
        "order", "key"
    ):
        sheet.row([source.key, source.name])
    sheet.filter_all()

    sheet = _Sheet(workbook, GLOSSARY, COLUMNS[GLOSSARY])
    sheet.header()
    for term in register.glossary.all():
        sheet.row([term.abbreviation, term.meaning])
    sheet.filter_all()


def _methodology_sheets(workbook, methodology, likelihoods, impacts, ratings, styles):
    cells = {
        (cell.likelihood_id, cell.impact_id): cell.rating
        for cell in methodology.cells.select_related("rating")
    }
    grid = _Sheet(
        workbook,
        MATRIX,
        [("Likelihood \\ Settlement impact", 30, True)]
        + [(f"{level.value} {level.label}", 16, True) for level in impacts],
    )
    grid.sheet.freeze_panes = "B2"
    grid.header()
    for likelihood in reversed(likelihoods):
        row = [grid.cell(f"{likelihood.value} {likelihood.label}")]
        row[0].font = _LABEL_FONT
        for impact in impacts:
            rating = cells.get((likelihood.pk, impact.pk))
            cell = WriteOnlyCell(grid.sheet, value=rating.name if rating else None)
            if rating:
                styles.paint(cell, rating, grid=True)
            else:
                cell.alignment = _CENTRE
            row.append(cell)
        grid.sheet.row_dimensions[grid.rows + 1].height = 30
        grid.append(row)

    sheet = _Sheet(workbook, SCALES, COLUMNS[SCALES])
    sheet.header()
    for name, levels in (
        (SCALE_NAMES["likelihood_levels"], likelihoods),
        (SCALE_NAMES["impact_levels"], impacts),
    ):
        for level in levels:
            sheet.row([name, level.value, level.label, level.definition])
    sheet.filter_all()

    sheet = _Sheet(workbook, RATINGS, COLUMNS[RATINGS])
    sheet.header()
    for rating in ratings:
        name = styles.paint(WriteOnlyCell(sheet.sheet, value=rating.name), rating)
        sheet.row(
            [
                rating.rank,
                name,
                rating.colour,
                rating.description,
                rating.review_interval_days,
            ]
        )
    sheet.filter_all()


def _properties(workbook, register, methodology, exported_at, filters):
    properties = workbook.properties
    properties.title = f"{register.name} ({register.reference})"
    properties.subject = "Risk register"
    properties.creator = "Smart Risk Register"
    properties.keywords = register.reference
    properties.version = register.version or None
    properties.description = (
        f"{register.name}, version {register.version or 'not given'}, status "
        f"{register.get_status_display()}; exported {_exported_at_text(exported_at)}"
    )
    utc = exported_at.astimezone(datetime.UTC).replace(tzinfo=None)
    properties.created = utc
    properties.modified = utc
    for name, value in (
        ("Register reference", register.reference),
        ("Register version", register.version),
        ("Register status", register.get_status_display()),
        ("Methodology version", str(methodology.version)),
        ("Exported at", exported_at.astimezone(datetime.UTC).isoformat()),
        ("Filters", "; ".join(f"{k}: {v}" for k, v in filters) or NO_FILTERS),
    ):
        workbook.custom_doc_props.append(StringProperty(name=name, value=value or "-"))


def register_to_workbook(
    register, subrisks, *, areas=None, filters=(), exported_at=None
) -> bytes:
    """The register as an .xlsx file; `subrisks` are the live ones to list.

    `areas` limits the area, factor and mitigation sheets (all live areas when
    None); `filters` names the filters that narrowed `subrisks`.
    """
    exported_at = exported_at or timezone.now()
    methodology = register.methodology
    likelihoods = list(methodology.likelihood_levels.order_by("value"))
    impacts = list(methodology.impact_levels.order_by("value"))
    ratings = list(methodology.rating_levels.order_by("rank"))
    workbook = Workbook(write_only=True)
    _add_text_styles(workbook)
    styles = RatingStyles(workbook, ratings)
    rows = list(
        subrisks.filter(area__register=register).select_related(
            "area", "likelihood", "impact", "rating"
        )
    )
    area_rows = areas_with_content(register)
    if areas is not None:
        area_rows = area_rows.filter(pk__in=areas.values("pk"))

    _properties(workbook, register, methodology, exported_at, filters)
    _info_sheet(
        workbook, register, methodology, filters=filters, exported_at=exported_at
    )
    _summary_sheet(workbook, register, rows, styles, filters)
    _register_sheet(workbook, rows, styles)
    _area_sheets(workbook, area_rows)
    _lesson_sheets(workbook, register)
    _methodology_sheets(workbook, methodology, likelihoods, impacts, ratings, styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
