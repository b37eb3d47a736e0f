"""Reading the cells of our workbook: text, numbers, dates and choices, each
checked, with problems named by sheet, row and column."""

import datetime
import re

from mitigations.models import Mitigation
from risks.exports import workbook as layout
from risks.exports.common import restore_text
from risks.models import Register, RiskFactor

from .locate import describe

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d/%m/%Y")
# Columns shown for reading that a workbook may drop; every other one must be there.
OPTIONAL_COLUMNS = {
    (layout.REGISTER, "Area name"),
    (layout.REGISTER, "Group"),
    (layout.REGISTER, "Rating"),
    (layout.AREAS, "Reference"),
    (layout.LESSONS, "Reference"),
}


class Choices:
    """Accepts a choice by label or stored value, in any case."""

    def __init__(self, choices, noun):
        self.noun = noun
        self.labels = [label for _, label in choices]
        self.lookup = {}
        for value, label in choices:
            self.lookup[str(value).casefold()] = value
            self.lookup[str(label).casefold()] = value

    def resolve(self, text):
        return self.lookup.get(text.strip().casefold())

    def problem(self, text):
        return f"unknown {self.noun} '{text}'; use one of: {', '.join(self.labels)}"


STATUSES = Choices(Register.Status.choices, "status")
STYLES = Choices(RiskFactor.Style.choices, "style")
KINDS = Choices(Mitigation.Kind.choices, "kind")
PROPOSAL_STATUSES = Choices(Mitigation.Status.choices, "status")


def text_of(value):
    """A cell's value as the text the document holds, neutralising undone."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return restore_text(str(value))


class Sheet:
    """One data sheet: its header positions and non-empty rows."""

    def __init__(self, reader, name):
        self.reader = reader
        self.name = name
        rows = reader.workbook[name].iter_rows()
        header = next(rows, ())
        self.positions = {}
        for position, cell in enumerate(header):
            text = text_of(cell.value).strip()
            if text:
                self.positions[text.casefold()] = position
        known = {header for header, _, _ in layout.COLUMNS.get(name, [])}
        for header in known:
            if (name, header) in OPTIONAL_COLUMNS:
                continue
            if header.casefold() not in self.positions:
                reader.fail(name, 1, header, "the column is missing")
        for text in self.positions:
            if text not in {header.casefold() for header in known}:
                reader.warnings.append(
                    describe(name, 1, None, f"the column '{text}' is not read")
                )
        self.rows = []
        for number, cells in enumerate(rows, start=2):
            if any(cell.value not in (None, "") for cell in cells):
                self.rows.append((number, cells))

    def raw(self, cells, header, row):
        position = self.positions.get(header.casefold())
        if position is None or position >= len(cells):
            return None
        cell = cells[position]
        if getattr(cell, "data_type", None) == "f":
            self.reader.fail(
                self.name,
                row,
                header,
                "formulas are not accepted; type the value itself",
            )
            return None
        if was_cut(cell.value):
            self.reader.fail(self.name, row, header, CUT_PROBLEM)
            return None
        return cell.value

    def text(self, cells, header, row):
        return text_of(self.raw(cells, header, row)).strip()

    def integer(self, cells, header, row, *, required=True):
        value = self.raw(cells, header, row)
        if value in (None, ""):
            if required:
                self.reader.fail(self.name, row, header, "a value is required")
            return None
        number = whole_number(value)
        if number is None:
            self.reader.fail(
                self.name,
                row,
                header,
                f"must be a whole number, not '{text_of(value)}'",
            )
        return number

    def numbers(self, cells, header, row):
        value = self.raw(cells, header, row)
        if value in (None, ""):
            return []
        if whole_number(value) is not None:
            return [whole_number(value)]
        numbers = []
        for part in re.split(r"[,;]", text_of(value)):
            part = part.strip()
            if not part:
                continue
            if whole_number(part) is None:
                self.reader.fail(
                    self.name,
                    row,
                    header,
                    f"'{part}' is not a number; list numbers separated by commas",
                )
            else:
                numbers.append(whole_number(part))
        return numbers

    def choice(self, cells, header, row, choices, *, default=None):
        text = self.text(cells, header, row)
        if not text:
            return default
        value = choices.resolve(text)
        if value is None:
            self.reader.fail(self.name, row, header, choices.problem(text))
        return value

    def date(self, cells, header, row):
        value = self.raw(cells, header, row)
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date().isoformat()
        if isinstance(value, datetime.date):
            return value.isoformat()
        text = text_of(value).strip()
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date().isoformat()  # noqa: DTZ007 - a date, no time
            except ValueError:
                continue
        self.reader.fail(
            self.name,
            row,
            header,
            f"'{text}' is not a date; write it as 24 May 2017 or 2017-05-24",
        )
        return None


CUT_PROBLEM = (
    "the text was cut on export because it is longer than an Excel cell holds; "
    "import the register from its JSON export instead"
)


def was_cut(value):
    """Whether a cell holds text the Excel export cut at the cell limit."""
    return isinstance(value, str) and value.endswith(layout.CUT_MARKER)


def whole_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
