"""The first checks on an uploaded file: its size, its type and, for JSON, its text."""

import io
import json
import zipfile

MAX_BYTES = 5 * 1024 * 1024
JSON, XLSX = "json", "xlsx"

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF8_BOM = b"\xef\xbb\xbf"


class ImportFileError(Exception):
    """A file that cannot be imported; `problems` says why, one line each."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


def _megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(size):
    """Refuses a file larger than MAX_BYTES."""
    if size > MAX_BYTES:
        raise ImportFileError(
            [
                f"File: the file is too large ({_megabytes(size)}); the largest "
                f"file accepted is {_megabytes(MAX_BYTES)}."
            ]
        )


def sniff_format(content):
    """JSON or XLSX, told from the bytes themselves, whatever the file is called."""
    if content.startswith(_ZIP):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            names = set()
        if "xl/workbook.xml" in names:
            return XLSX
        raise ImportFileError(
            [
                "File: wrong file type: this is a ZIP archive but not an Excel "
                "workbook (.xlsx)."
            ]
        )
    if content.startswith(_OLE):
        raise ImportFileError(
            [
                "File: wrong file type: this is an old Excel file (.xls); open it in "
                "Excel and save it as an Excel workbook (.xlsx)."
            ]
        )
    text = content.removeprefix(_UTF8_BOM).lstrip()
    if text.startswith(b"{"):
        return JSON
    if not text:
        raise ImportFileError(["File: the file is empty."])
    raise ImportFileError(
        [
            "File: wrong file type: expected a register exported as JSON or as an "
            "Excel workbook (.xlsx). CSV files hold only the sub-risks and cannot "
            "be imported."
        ]
    )


def read_json(content):
    """The decoded JSON object, or an error naming the line and column at fault."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportFileError(["File: the JSON file is not UTF-8 text."]) from None
    except json.JSONDecodeError as error:
        raise ImportFileError(
            [
                f"File: not valid JSON at line {error.lineno}, column {error.colno}: "
                f"{error.msg}."
            ]
        ) from None
    if not isinstance(data, dict):
        raise ImportFileError(
            ["File: the JSON file must hold one register document (an object)."]
        )
    return data
