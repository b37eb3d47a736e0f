import io

import openpyxl
import pytest

from risks.exports.common import ExportScope
from risks.exports.workbook import register_to_workbook

# The thirteen sub-risks of the 2017 register: ref, likelihood, impact, rating.
RATINGS_2017 = [
    ("SRR-2017/1.a", "Very High", "Very Low", "Low"),
    ("SRR-2017/2.a", "High", "Very Low", "Low"),
    ("SRR-2017/2.b", "Low", "High", "Medium"),
    ("SRR-2017/3.a", "Medium", "Medium", "Medium"),
    ("SRR-2017/4.a", "Medium", "Medium", "Medium"),
    ("SRR-2017/5.a", "Very Low", "Very High", "Low"),
    ("SRR-2017/5.b", "Very High", "Very Low", "Low"),
    ("SRR-2017/6.a", "Very Low", "High", "Low"),
    ("SRR-2017/6.b", "Very High", "Very Low", "Low"),
    ("SRR-2017/7.a", "Medium", "Medium", "Medium"),
    ("SRR-2017/8.a", "Medium", "High", "High"),
    ("SRR-2017/9.a", "Low", "Medium", "Medium"),
    ("SRR-2017/10.a", "Low", "Medium", "Medium"),
]
AREAS_2017 = [
    "Readiness",
    "Installation",
    "Inter-operability",
    "Legacy",
    "Metering",
    "Communications",
    "DCC user interface",
    "Supplier-agent interfaces",
    "Meter operations",
    "Data processing",
]
# Rating fill and font colours as openpyxl reports them (ARGB).
FILLS = {
    "Low": ("FF2E7D32", "FFFFFFFF"),
    "Medium": ("FFF2C200", "FF000000"),
    "High": ("FFE8710A", "FF000000"),
    "Very High": ("FFC62828", "FFFFFFFF"),
}


def workbook_of(register, **scope):
    """The register's workbook bytes, for the given ExportScope arguments."""
    chosen = ExportScope.for_register(register, **scope)
    return register_to_workbook(
        register, chosen.subrisks, areas=chosen.areas, filters=chosen.filters
    )


def open_workbook(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def workbook_2017(register_2017):
    return open_workbook(workbook_of(register_2017))
