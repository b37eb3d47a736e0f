"""Reading our Excel workbook back into a register document.

The reader takes the sheets and headers that `risks.exports.workbook` writes (in
any column order), checks every cell it reads and reports each problem with its
sheet, row and column. Text neutralised against formulas on export is restored;
a cell holding a formula is refused. The Summary sheet is not read, and the Rating
column only produces a warning when it disagrees with the matrix.
"""

import datetime
import io
import logging
import re
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from mitigations.models import Mitigation
from risks.exports import workbook as layout
from risks.exports.common import restore_text
from risks.models import RiskFactor, SubRisk
from risks.references import next_letter_key, next_numbered_key

from .cells import (
    CUT_PROBLEM,
    DATE_FORMATS,
    KINDS,
    PROPOSAL_STATUSES,
    STATUSES,
    STYLES,
    Choices,
    Sheet,
    text_of,
    was_cut,
    whole_number,
)
from .files import ImportFileError
from .locate import LevelResolver, Locator, describe

logger = logging.getLogger(__name__)

# Document field -> column header, per sheet, to place the document checker's
# problems.
FIELD_COLUMNS = {
    layout.AREAS: {
        "number": "Number",
        "name": "Name",
        "group": "Group",
        "statement": "Description",
        "rating_commentary": "Risk rating commentary",
        "settlement_impact": "Settlement impact",
        "market_impact": "Market impact",
        "see_also": "See also",
    },
    layout.REGISTER: {
        "key": "Reference",
        "statement": "Description",
        "rating_label": "Rating label",
        "likelihood": "Likelihood",
        "impact": "Settlement impact",
    },
    layout.FACTORS: {
        "key": "Reference",
        "style": "Style",
        "lead_in": "Lead-in",
        "text": "Text",
    },
    layout.MITIGATIONS: {
        "key": "Reference",
        "kind": "Kind",
        "none_proposed": "None proposed",
        "text": "Text",
        "owner": "Owner",
        "status": "Status",
        "due_date": "Due date",
        "references": "References",
        "subrisks": "Sub-risks",
    },
    layout.LESSONS: {
        "source": "Source",
        "number": "Number",
        "problem": "Problem",
        "lesson": "Lesson",
        "related_areas": "Related areas",
    },
    layout.SOURCES: {"key": "Key", "name": "Name"},
    layout.GLOSSARY: {"abbreviation": "Abbreviation", "meaning": "Meaning"},
    layout.SCALES: {"value": "Value", "label": "Label", "definition": "Definition"},
    layout.RATINGS: {
        "rank": "Rank",
        "name": "Name",
        "colour": "Colour",
        "description": "Description",
        "review_interval_days": "Review interval (days)",
    },
}
REQUIRED_SHEETS = [
    layout.INFO,
    layout.REGISTER,
    layout.AREAS,
    layout.FACTORS,
    layout.MITIGATIONS,
    layout.LESSONS,
    layout.SOURCES,
    layout.GLOSSARY,
    layout.MATRIX,
    layout.SCALES,
    layout.RATINGS,
]
_LEADING_NUMBER = re.compile(r"^\s*(\d+)\b")


@dataclass
class WorkbookRead:
    """A workbook read into a register document, with where each part came from."""

    document: dict
    locate: Locator
    problems: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    stated_ratings: dict = field(default_factory=dict)


class _Reader:
    def __init__(self, workbook, register):
        self.workbook = workbook
        self.register = register
        self.problems = []
        self.warnings = []
        self.locate = Locator()
        for sheet, columns in FIELD_COLUMNS.items():
            self.locate.name_columns(sheet, columns)
        self.stated_ratings = {}

    def fail(self, sheet, row, column, message):
        self.problems.append(describe(sheet, row, column, message))

    def check(self):
        if self.problems:
            raise ImportFileError(self.problems)

    def read(self):
        missing = [name for name in REQUIRED_SHEETS if name not in self.workbook]
        if layout.INFO in missing:
            raise ImportFileError(
                [
                    "Workbook: this is not a Smart Risk Register workbook (it has no "
                    "Info sheet); export the register to Excel and edit that file."
                ]
            )
        for name in missing:
            self.problems.append(f"Workbook: the sheet '{name}' is missing")
        register, methodology_name = self.read_info()
        self.check()
        methodology = self.read_methodology(methodology_name)
        areas = self.read_areas(register["reference"])
        lessons, sources = self.read_lessons(register["reference"])
        glossary = self.read_glossary()
        return {
            "format": "smart-risk-register",
            "format_version": 1,
            "register": register,
            "methodology": methodology,
            "areas": areas,
            "lesson_sources": sources,
            "lessons": lessons,
            "glossary": glossary,
        }

    def read_info(self):
        sheet = self.workbook[layout.INFO]
        values, rows = {}, {}
        for number, cells in enumerate(sheet.iter_rows(max_col=2), start=1):
            label = text_of(cells[0].value).strip() if cells else ""
            if not label:
                continue
            known = {name.casefold(): name for name in layout.INFO_FIELDS}
            name = known.get(label.casefold())
            if name is None:
                if number > 1:
                    self.warnings.append(
                        describe(layout.INFO, number, "A", f"'{label}' is not read")
                    )
                continue
            cell = cells[1] if len(cells) > 1 else None
            if cell is not None and getattr(cell, "data_type", None) == "f":
                self.fail(layout.INFO, number, "B", "formulas are not accepted")
                continue
            if cell is not None and was_cut(cell.value):
                self.fail(layout.INFO, number, "B", CUT_PROBLEM)
                continue
            values[name] = cell.value if cell is not None else None
            rows[name] = number
        if text_of(values.get("Format")).strip() != layout.FORMAT_MARK:
            raise ImportFileError(
                [
                    describe(
                        layout.INFO,
                        rows.get("Format"),
                        "B" if "Format" in rows else None,
                        "this is not a Smart Risk Register workbook (no Format row "
                        f"reading '{layout.FORMAT_MARK}'); export the register to "
                        "Excel and edit that file",
                    )
                ]
            )
        filters = text_of(values.get("Filters")).strip()
        if filters and filters != layout.NO_FILTERS:
            self.fail(
                layout.INFO,
                rows["Filters"],
                "B",
                f"the workbook was exported with filters ({filters}) and holds only "
                "part of the register; export it without filters to import it",
            )
        register = {}
        for label, name in layout.INFO_FIELDS.items():
            if name in (None, "methodology"):
                continue
            if label in rows:
                self.locate.add(f"register.{name}", layout.INFO, rows[label], "B")
            register[name] = text_of(values.get(label)).strip()
        status = register["status"]
        if status:
            register["status"] = STATUSES.resolve(status)
            if register["status"] is None:
                self.fail(layout.INFO, rows["Status"], "B", STATUSES.problem(status))
        date = values.get("Effective date")
        if isinstance(date, datetime.datetime):
            register["effective_date"] = date.date().isoformat()
        elif isinstance(date, datetime.date):
            register["effective_date"] = date.isoformat()
        elif register["effective_date"]:
            register["effective_date"] = self._parse_date(
                register["effective_date"], rows["Effective date"]
            )
        else:
            register["effective_date"] = None
        if "Methodology" in rows:
            self.locate.add("methodology.name", layout.INFO, rows["Methodology"], "B")
        return register, text_of(values.get("Methodology")).strip()

    def _parse_date(self, text, row):
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
        self.fail(
            layout.INFO, row, "B", f"'{text}' is not a date; write it as 24 May 2017"
        )
        return None

    def read_methodology(self, name):
        scales = Sheet(self, layout.SCALES)
        levels = {"likelihood_levels": [], "impact_levels": []}
        scale_names = Choices(
            [(key, label) for key, label in layout.SCALE_NAMES.items()]
            + [("impact_levels", "Impact")],
            "scale",
        )
        for row, cells in scales.rows:
            scale = scales.choice(cells, "Scale", row, scale_names)
            if scale is None:
                if not scales.text(cells, "Scale", row):
                    self.fail(layout.SCALES, row, "Scale", "a value is required")
                continue
            self.locate.add(
                f"methodology.{scale}[{len(levels[scale])}]", layout.SCALES, row
            )
            levels[scale].append(
                {
                    "value": scales.integer(cells, "Value", row),
                    "label": scales.text(cells, "Label", row),
                    "definition": scales.text(cells, "Definition", row),
                }
            )
        for scale in levels:
            self.locate.add(f"methodology.{scale}", layout.SCALES)

        ratings_sheet = Sheet(self, layout.RATINGS)
        ratings = []
        for row, cells in ratings_sheet.rows:
            self.locate.add(
                f"methodology.rating_levels[{len(ratings)}]", layout.RATINGS, row
            )
            ratings.append(
                {
                    "rank": ratings_sheet.integer(cells, "Rank", row),
                    "name": ratings_sheet.text(cells, "Name", row),
                    "colour": ratings_sheet.text(cells, "Colour", row),
                    "description": ratings_sheet.text(cells, "Description", row),
                    "review_interval_days": ratings_sheet.integer(
                        cells, "Review interval (days)", row, required=False
                    ),
                }
            )
        self.locate.add("methodology.rating_levels", layout.RATINGS)
        names = {rating["name"].casefold(): rating["name"] for rating in ratings}
        return {
            "name": name,
            "likelihood_levels": levels["likelihood_levels"],
            "impact_levels": levels["impact_levels"],
            "rating_levels": ratings,
            "matrix": self.read_matrix(names),
        }

    def read_matrix(self, rating_names):
        rows = self.workbook[layout.MATRIX].iter_rows()
        header = next(rows, ())
        impacts = {}
        for position, cell in enumerate(header):
            if position == 0:
                continue
            match = _LEADING_NUMBER.match(text_of(cell.value))
            if match:
                impacts[position] = int(match.group(1))
            elif cell.value not in (None, ""):
                self.fail(
                    layout.MATRIX,
                    1,
                    get_column_letter(position + 1),
                    f"'{text_of(cell.value)}' does not start with an impact value",
                )
        cells = []
        self.locate.add("methodology.matrix", layout.MATRIX)
        for number, row in enumerate(rows, start=2):
            if not row or all(cell.value in (None, "") for cell in row):
                continue
            match = _LEADING_NUMBER.match(text_of(row[0].value))
            if not match:
                self.fail(
                    layout.MATRIX,
                    number,
                    "A",
                    f"'{text_of(row[0].value)}' does not start with a likelihood value",
                )
                continue
            for position, impact in impacts.items():
                cell = row[position] if position < len(row) else None
                if cell is not None and getattr(cell, "data_type", None) == "f":
                    self.fail(
                        layout.MATRIX,
                        number,
                        get_column_letter(position + 1),
                        "formulas are not accepted",
                    )
                    continue
                text = text_of(cell.value if cell is not None else None).strip()
                self.locate.add(
                    f"methodology.matrix[{len(cells)}]",
                    layout.MATRIX,
                    number,
                    get_column_letter(position + 1),
                )
                cells.append(
                    {
                        "likelihood": int(match.group(1)),
                        "impact": impact,
                        "rating": rating_names.get(text.casefold(), text),
                    }
                )
        return cells

    def read_areas(self, ref):
        sheet = Sheet(self, layout.AREAS)
        areas, first_rows = {}, {}
        for row, cells in sheet.rows:
            number = sheet.integer(cells, "Number", row)
            if number is None:
                continue
            if number in first_rows:
                self.fail(
                    layout.AREAS,
                    row,
                    "Number",
                    f"duplicate area number {number} (also on row "
                    f"{first_rows[number]})",
                )
                continue
            first_rows[number] = row
            reference = sheet.text(cells, "Reference", row)
            if reference and reference != f"{ref}/{number}":
                self.fail(
                    layout.AREAS,
                    row,
                    "Reference",
                    f"'{reference}' does not match area number {number} "
                    f"({ref}/{number})",
                )
            self.locate.add(f"areas[{len(areas)}]", layout.AREAS, row)
            areas[number] = {
                "number": number,
                "name": sheet.text(cells, "Name", row),
                "group": sheet.text(cells, "Group", row),
                "statement": sheet.text(cells, "Description", row),
                "rating_commentary": sheet.text(cells, "Risk rating commentary", row),
                "settlement_impact": sheet.text(cells, "Settlement impact", row),
                "market_impact": sheet.text(cells, "Market impact", row),
                "see_also": sheet.numbers(cells, "See also", row),
                "subrisks": [],
                "risk_factors": [],
                "mitigations": [],
            }
        index = {number: position for position, number in enumerate(areas)}
        self.read_subrisks(ref, areas, index)
        self.read_children(ref, areas, index)
        return list(areas.values())

    def _existing_keys(self, model):
        if self.register is None:
            return {}
        keys = {}
        rows = model.objects.filter(area__register=self.register).values_list(
            "area__number", "key"
        )
        for number, key in rows:
            keys.setdefault(number, set()).add(key)
        return keys

    def _area_of(self, sheet, cells, row, areas):
        number = sheet.integer(cells, "Area", row)
        if number is not None and number not in areas:
            self.fail(
                sheet.name, row, "Area", f"there is no area {number} on the Areas sheet"
            )
            return None
        return number

    def _key_from_reference(self, sheet, cells, row, pattern, number, example):
        reference = sheet.text(cells, "Reference", row)
        if not reference:
            return None, ""
        match = pattern.match(reference)
        if not match:
            self.fail(
                sheet.name,
                row,
                "Reference",
                f"'{reference}' is not a reference of this register (like "
                f"{example}); leave it empty for a new record",
            )
            return None, reference
        if number is not None and int(match.group(1)) != number:
            self.fail(
                sheet.name,
                row,
                "Area",
                f"area {number} does not match the reference '{reference}'; to move "
                "a record to another area, remove its row and add it again with an "
                "empty reference",
            )
        return match.group(2), reference

    def read_subrisks(self, ref, areas, index):
        sheet = Sheet(self, layout.REGISTER)
        methodology = self.workbook_methodology_levels()
        likelihoods = LevelResolver(methodology["likelihood_levels"], "likelihood")
        impacts = LevelResolver(methodology["impact_levels"], "settlement impact")
        pattern = re.compile(rf"^{re.escape(ref)}/(\d+)\.([^./\s]+)$")
        seen, pending = {}, []
        for row, cells in sheet.rows:
            number = self._area_of(sheet, cells, row, areas)
            key, reference = self._key_from_reference(
                sheet, cells, row, pattern, number, f"{ref}/1.a"
            )
            if number is None:
                continue
            area = areas[number]
            if key is not None:
                if (number, key) in seen:
                    self.fail(
                        layout.REGISTER,
                        row,
                        "Reference",
                        f"duplicate reference '{reference}' (also on row "
                        f"{seen[number, key]})",
                    )
                    continue
                seen[number, key] = row
            for header, name in (("Area name", "name"), ("Group", "group")):
                given = sheet.text(cells, header, row)
                if given and given != area[name]:
                    self.fail(
                        layout.REGISTER,
                        row,
                        header,
                        f"'{given}' differs from area {number} on the Areas sheet "
                        f"('{area[name]}'); change it there",
                    )
            values = {}
            for header, name, resolver in (
                ("Likelihood", "likelihood", likelihoods),
                ("Settlement impact", "impact", impacts),
            ):
                problems_before = len(self.problems)
                given = sheet.raw(cells, header, row)
                values[name] = resolver.resolve(restore_text(given))
                if values[name] is None and len(self.problems) == problems_before:
                    self.fail(
                        layout.REGISTER,
                        row,
                        header,
                        resolver.problem(text_of(given).strip()),
                    )
            path = f"areas[{index[number]}].subrisks[{len(area['subrisks'])}]"
            self.locate.add(path, layout.REGISTER, row)
            stated = sheet.text(cells, "Rating", row)
            if stated:
                self.stated_ratings[path] = (
                    describe(layout.REGISTER, row, "Rating", "").rstrip(": "),
                    stated,
                )
            item = {
                "key": key,
                "statement": sheet.text(cells, "Description", row),
                "rating_label": sheet.text(cells, "Rating label", row),
                **values,
            }
            area["subrisks"].append(item)
            if key is None:
                pending.append((number, item))
        used = self._existing_keys(SubRisk)
        for number, item in pending:
            keys = used.setdefault(number, set())
            keys.update(s["key"] for s in areas[number]["subrisks"] if s["key"])
            item["key"] = next_letter_key(keys)
            keys.add(item["key"])

    def workbook_methodology_levels(self):
        """The scales as read from the Scales sheet, for reading levels by label."""
        sheet = self.workbook[layout.SCALES]
        levels = {"likelihood_levels": [], "impact_levels": []}
        rows = sheet.iter_rows(values_only=True)
        header = [text_of(value).strip().casefold() for value in next(rows, ())]
        try:
            scale_at, value_at, label_at = (
                header.index("scale"),
                header.index("value"),
                header.index("label"),
            )
        except ValueError:
            return levels
        names = {label.casefold(): key for key, label in layout.SCALE_NAMES.items()}
        names["impact"] = "impact_levels"
        for row in rows:
            if len(row) <= max(scale_at, value_at, label_at):
                continue
            scale = names.get(text_of(row[scale_at]).strip().casefold())
            value = whole_number(row[value_at])
            if scale and value is not None:
                levels[scale].append(
                    {"value": value, "label": text_of(row[label_at]).strip()}
                )
        return levels

    def read_children(self, ref, areas, index):
        for sheet_name, list_name, prefix, model in (
            (layout.FACTORS, "risk_factors", "F", RiskFactor),
            (layout.MITIGATIONS, "mitigations", "M", Mitigation),
        ):
            sheet = Sheet(self, sheet_name)
            pattern = re.compile(rf"^{re.escape(ref)}/(\d+)/([^/\s]+)$")
            seen, pending = {}, []
            for row, cells in sheet.rows:
                number = self._area_of(sheet, cells, row, areas)
                key, reference = self._key_from_reference(
                    sheet, cells, row, pattern, number, f"{ref}/1/{prefix}1"
                )
                if number is None:
                    continue
                if key is not None:
                    if (number, key) in seen:
                        self.fail(
                            sheet_name,
                            row,
                            "Reference",
                            f"duplicate reference '{reference}' (also on row "
                            f"{seen[number, key]})",
                        )
                        continue
                    seen[number, key] = row
                items = areas[number][list_name]
                self.locate.add(
                    f"areas[{index[number]}].{list_name}[{len(items)}]", sheet_name, row
                )
                if list_name == "risk_factors":
                    item = {
                        "key": key,
                        "style": sheet.choice(cells, "Style", row, STYLES),
                        "lead_in": sheet.text(cells, "Lead-in", row),
                        "text": sheet.text(cells, "Text", row),
                    }
                else:
                    item = self.read_mitigation(sheet, cells, row, key)
                items.append(item)
                if key is None:
                    pending.append((number, item))
            used = self._existing_keys(model)
            for number, item in pending:
                keys = used.setdefault(number, set())
                keys.update(i["key"] for i in areas[number][list_name] if i["key"])
                item["key"] = next_numbered_key(prefix, keys)
                keys.add(item["key"])

    def read_mitigation(self, sheet, cells, row, key):
        none_proposed = sheet.text(cells, "None proposed", row)
        if none_proposed.casefold() in ("", "no", "false", "0"):
            none_proposed = False
        elif none_proposed.casefold() in ("yes", "true", "1"):
            none_proposed = True
        else:
            self.fail(
                sheet.name,
                row,
                "None proposed",
                f"'{none_proposed}' is not Yes or No",
            )
        references = sheet.text(cells, "References", row)
        subrisks = sheet.text(cells, "Sub-risks", row)
        return {
            "key": key,
            "kind": sheet.choice(cells, "Kind", row, KINDS, default=""),
            "none_proposed": none_proposed,
            "text": sheet.text(cells, "Text", row),
            "owner": sheet.text(cells, "Owner", row),
            "status": sheet.choice(cells, "Status", row, PROPOSAL_STATUSES),
            "due_date": sheet.date(cells, "Due date", row),
            "references": [
                part.strip() for part in references.split(";") if part.strip()
            ],
            "subrisks": [part.strip() for part in subrisks.split(",") if part.strip()],
        }

    def read_lessons(self, ref):
        sheet = Sheet(self, layout.SOURCES)
        sources, first_rows = [], {}
        for row, cells in sheet.rows:
            key = sheet.text(cells, "Key", row)
            if key in first_rows:
                self.fail(
                    layout.SOURCES,
                    row,
                    "Key",
                    f"duplicate source '{key}' (also on row {first_rows[key]})",
                )
                continue
            first_rows[key] = row
            self.locate.add(f"lesson_sources[{len(sources)}]", layout.SOURCES, row)
            sources.append({"key": key, "name": sheet.text(cells, "Name", row)})

        sheet = Sheet(self, layout.LESSONS)
        lessons, first_rows = [], {}
        for row, cells in sheet.rows:
            source = sheet.text(cells, "Source", row)
            number = sheet.integer(cells, "Number", row)
            if (source, number) in first_rows:
                self.fail(
                    layout.LESSONS,
                    row,
                    "Number",
                    f"duplicate lesson {source} {number} (also on row "
                    f"{first_rows[source, number]})",
                )
                continue
            first_rows[source, number] = row
            reference = sheet.text(cells, "Reference", row)
            expected = f"{ref}/L/{source}-{number}"
            if reference and number is not None and reference != expected:
                self.fail(
                    layout.LESSONS,
                    row,
                    "Reference",
                    f"'{reference}' does not match source {source} and number "
                    f"{number} ({expected})",
                )
            self.locate.add(f"lessons[{len(lessons)}]", layout.LESSONS, row)
            lessons.append(
                {
                    "source": source,
                    "number": number,
                    "problem": sheet.text(cells, "Problem", row),
                    "lesson": sheet.text(cells, "Lesson", row),
                    "related_areas": sheet.numbers(cells, "Related areas", row),
                }
            )
        return lessons, sources

    def read_glossary(self):
        sheet = Sheet(self, layout.GLOSSARY)
        terms, first_rows = [], {}
        for row, cells in sheet.rows:
            abbreviation = sheet.text(cells, "Abbreviation", row)
            if abbreviation in first_rows:
                self.fail(
                    layout.GLOSSARY,
                    row,
                    "Abbreviation",
                    f"duplicate abbreviation '{abbreviation}' (also on row "
                    f"{first_rows[abbreviation]})",
                )
                continue
            first_rows[abbreviation] = row
            self.locate.add(f"glossary[{len(terms)}]", layout.GLOSSARY, row)
            terms.append(
                {
                    "abbreviation": abbreviation,
                    "meaning": sheet.text(cells, "Meaning", row),
                }
            )
        return terms


def _unreadable(error):
    logger.warning("Unreadable workbook refused: %s", error.__class__.__name__)
    return [
        "File: the Excel workbook cannot be read; open it in Excel and save it "
        "again as an Excel workbook (.xlsx)."
    ]


def read_workbook(content, *, register=None) -> WorkbookRead:
    """Reads an .xlsx file of ours into a register document.

    Raises `ImportFileError` when the file is not a workbook of ours; problems in
    its cells come back in `problems`, for `make_plan` to report with its own.

    `register` is the register the file is imported onto (None for a new one); its
    keys, archived ones included, are skipped when numbering new rows.
    """
    # A damaged or hostile file can make openpyxl fail in many ways (bad ZIP,
    # bad XML, missing parts); each is the uploader's file at fault, never a 500.
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception as error:  # noqa: BLE001
        raise ImportFileError(_unreadable(error)) from None
    try:
        reader = _Reader(workbook, register)
        document = reader.read()
    except ImportFileError:
        raise
    except Exception as error:  # noqa: BLE001
        raise ImportFileError(_unreadable(error)) from None
    finally:
        workbook.close()
    return WorkbookRead(
        document=document,
        locate=reader.locate,
        warnings=reader.warnings,
        problems=reader.problems,
        stated_ratings=reader.stated_ratings,
    )
