import io
import json

import openpyxl
import pytest

from risks.exports.document import register_to_document
from tests.exports.conftest import workbook_of


def json_bytes(document):
    return json.dumps(document).encode()


def edited_workbook(content, edit):
    """The workbook bytes after `edit(workbook)` changed them, as Excel would save."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(sheet, reference):
    """The row number whose first cell is `reference`."""
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == reference:
            return row[0].row
    raise AssertionError(f"no row {reference} on {sheet.title}")


@pytest.fixture
def document_2017(register_2017):
    return register_to_document(register_2017)


@pytest.fixture
def workbook_2017_bytes(register_2017):
    return workbook_of(register_2017)
