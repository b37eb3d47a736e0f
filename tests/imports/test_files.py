import io
import zipfile

import pytest

from risks.imports.files import (
    MAX_BYTES,
    ImportFileError,
    check_size,
    read_json,
    sniff_format,
)


def problems(call, *args):
    with pytest.raises(ImportFileError) as raised:
        call(*args)
    return raised.value.problems


def test_sniffing_reads_the_bytes_not_the_name():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook/>")

    assert sniff_format(archive.getvalue()) == "xlsx"
    assert sniff_format(b'\xef\xbb\xbf  \n{"format": 1}') == "json"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b"Reference,Area\r\nSRR-2017/1.a,1\r\n",
            "File: wrong file type: expected a register exported as JSON or as an "
            "Excel workbook (.xlsx). CSV files hold only the sub-risks and cannot "
            "be imported.",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest",
            "File: wrong file type: this is an old Excel file (.xls); open it in "
            "Excel and save it as an Excel workbook (.xlsx).",
        ),
        (b"   ", "File: the file is empty."),
        (
            b"PK\x03\x04not really a zip",
            "File: wrong file type: this is a ZIP archive but not an Excel "
            "workbook (.xlsx).",
        ),
        (
            b"%PDF-1.7",
            "File: wrong file type: expected a register exported as JSON or as an "
            "Excel workbook (.xlsx). CSV files hold only the sub-risks and cannot "
            "be imported.",
        ),
    ],
)
def test_sniffing_names_a_wrong_file_type(content, problem):
    assert problems(sniff_format, content) == [problem]


def test_a_file_over_the_limit_is_refused_with_its_size():
    check_size(MAX_BYTES)

    assert problems(check_size, MAX_BYTES + 300 * 1024) == [
        "File: the file is too large (5.3 MB); the largest file accepted is 5.0 MB."
    ]


def test_bad_json_is_reported_with_line_and_column():
    assert problems(read_json, b'{\n  "format": "x",\n  oops\n}') == [
        "File: not valid JSON at line 3, column 3: Expecting property name "
        "enclosed in double quotes."
    ]
    assert problems(read_json, b"[1, 2]") == [
        "File: the JSON file must hold one register document (an object)."
    ]
    assert problems(read_json, b'{"a": "\xff"}') == [
        "File: the JSON file is not UTF-8 text."
    ]


@pytest.mark.django_db
def test_a_damaged_workbook_is_refused_not_crashed():
    from risks.imports.services import plan_file

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("xl/workbook.xml", "<workbook><not closed")
        zipped.writestr("[Content_Types].xml", "<Types/>")

    assert problems(plan_file, archive.getvalue()) == [
        "File: the Excel workbook cannot be read; open it in Excel and save it "
        "again as an Excel workbook (.xlsx)."
    ]
