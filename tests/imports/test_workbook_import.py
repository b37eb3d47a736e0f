import datetime

import pytest

from risks.exports.document import register_to_document
from risks.imports.files import ImportFileError
from risks.imports.services import (
    import_batch_apply,
    import_batch_create,
    plan_file,
)
from risks.models import ImportBatch, Register, SubRisk
from tests.exports.conftest import open_workbook, sheet_values, workbook_of
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory
from tests.imports.conftest import edited_workbook, row_of

pytestmark = pytest.mark.django_db


def problems_of(content, register=None):
    with pytest.raises(ImportFileError) as raised:
        plan_file(content, register=register)
    return raised.value.problems


def preview_of(content, register=None):
    return plan_file(content, register=register)[1].preview


def comparable(content):
    """Every cell of every sheet, but the export time, which always differs."""
    workbook = open_workbook(content)
    cells = {}
    for sheet in workbook:
        rows = sheet_values(sheet)
        if sheet.title == "Info":
            rows = [row for row in rows if row[0] != "Exported at"]
        cells[sheet.title] = rows
    return cells


def test_excel_round_trip_through_an_empty_database_gives_identical_content(
    register_2017, editor
):
    first = workbook_of(register_2017)
    document = register_to_document(register_2017)
    Register.objects.all().delete()

    batch = import_batch_create(user=editor, filename="srr.xlsx", content=first)
    register = import_batch_apply(batch=batch, user=editor)

    assert batch.file_format == "xlsx"
    assert comparable(workbook_of(register)) == comparable(first)
    assert register_to_document(register) == document
    assert SubRisk.objects.get(reference="SRR-2017/2.b").history.get().history_user == (
        editor
    )


def test_reimporting_an_unedited_workbook_changes_nothing(
    register_2017, workbook_2017_bytes
):
    preview = preview_of(workbook_2017_bytes, register_2017)

    assert preview["entries"] == []
    assert preview["warnings"] == []


def test_edited_workbook_previews_changes_new_rows_and_removed_rows(
    register_2017, workbook_2017_bytes
):
    def edit(workbook):
        sheet = workbook["Register"]
        row = row_of(sheet, "SRR-2017/9.a")
        sheet.cell(row, 7).value = "HIGH"
        sheet.cell(row, 8).value = 4
        sheet.append([None, 9, None, None, "A new risk.", None, "low", "Very Low"])
        sheet.delete_rows(row_of(sheet, "SRR-2017/5.b"))
        mitigations = workbook["Mitigations"]
        due = mitigations.cell(row_of(mitigations, "SRR-2017/8/M4"), 8)
        due.value = datetime.date(2027, 3, 31)

    preview = preview_of(edited_workbook(workbook_2017_bytes, edit), register_2017)

    by_ref = {entry["reference"]: entry for entry in preview["entries"]}
    assert by_ref["SRR-2017/9.a"]["changes"] == [
        {"field": "Likelihood", "old": "Low", "new": "High"},
        {"field": "Settlement impact", "old": "Medium", "new": "High"},
        {"field": "Rating", "old": "Medium", "new": "High"},
    ]
    assert by_ref["SRR-2017/9.b"]["action"] == "create"
    assert by_ref["SRR-2017/9.b"]["changes"] == [
        {"field": "Rating", "old": "", "new": "Low"}
    ]
    assert by_ref["SRR-2017/5.b"]["action"] == "archive"
    assert by_ref["SRR-2017/8/M4"]["changes"] == [
        {"field": "Due date", "old": "", "new": "31 March 2027"}
    ]
    assert preview["warnings"] == [
        "Register sheet, row 12, column Rating: the rating 'Medium' is not "
        "imported; the matrix rates High x High as High."
    ]


def test_formula_text_survives_a_round_trip_and_typed_formulas_are_refused(
    register_2017, workbook_2017_bytes, editor
):
    def neutralised(workbook):
        sheet = workbook["Register"]
        sheet.cell(row_of(sheet, "SRR-2017/1.a"), 6).value = "'=SUM(A1:A2)"

    batch = import_batch_create(
        user=editor,
        filename="srr.xlsx",
        content=edited_workbook(workbook_2017_bytes, neutralised),
        register=register_2017,
    )
    import_batch_apply(batch=batch, user=editor)
    assert SubRisk.objects.get(reference="SRR-2017/1.a").rating_label == "=SUM(A1:A2)"

    def typed(workbook):
        workbook["Register"]["F3"] = "=1+1"

    assert problems_of(edited_workbook(workbook_2017_bytes, typed), register_2017) == [
        "Register sheet, row 3, column Rating label: formulas are not accepted; type "
        "the value itself"
    ]


def test_text_cut_by_the_excel_export_is_refused_naming_its_cell():
    register = RegisterFactory(reference="LONG")
    area = RiskAreaFactory(register=register, number=1)
    SubRiskFactory(area=area, statement="t" * 40000)
    long_description = RegisterFactory(reference="DESC", description="d" * 40000)
    cut = (
        "the text was cut on export because it is longer than an Excel cell holds; "
        "import the register from its JSON export instead"
    )

    assert problems_of(workbook_of(register), register) == [
        f"Register sheet, row 2, column Description: {cut}"
    ]
    assert problems_of(workbook_of(long_description), long_description) == [
        f"Info sheet, row 10, column B: {cut}"
    ]


def test_errors_name_sheet_row_column_and_problem(register_2017, workbook_2017_bytes):
    def edit(workbook):
        sheet = workbook["Register"]
        sheet["G2"] = "Quite likely"
        sheet["E3"] = None
        sheet["A3"] = "SRR-2017/2.b"
        sheet["B6"] = 42
        sheet["H7"] = None
        workbook["Mitigations"]["H2"] = "next spring"
        workbook["Risk factors"]["C2"] = "Sonnet"

    assert problems_of(edited_workbook(workbook_2017_bytes, edit), register_2017) == [
        "Register sheet, row 2, column Likelihood: unknown likelihood 'Quite likely'; "
        "give a label (Very Low, Low, Medium, High, Very High) or a value (1 to 5)",
        "Register sheet, row 4, column Reference: duplicate reference 'SRR-2017/2.b' "
        "(also on row 3)",
        "Register sheet, row 6, column Area: there is no area 42 on the Areas sheet",
        "Register sheet, row 7, column Settlement impact: unknown settlement impact "
        "nothing; give a label (Very Low, Low, Medium, High, Very High) or a value "
        "(1 to 5)",
        "Risk factors sheet, row 2, column Style: unknown style 'Sonnet'; use one "
        "of: Bullet point, Paragraph",
        "Mitigations sheet, row 2, column Due date: 'next spring' is not a date; "
        "write it as 24 May 2017 or 2017-05-24",
        "Register sheet, row 3, column Description: is required",
        "Mitigations sheet, row 8, column Sub-risks: no sub-risk 'a' in this area",
    ]


def test_document_checks_are_placed_on_their_sheet_row_and_column(
    register_2017, workbook_2017_bytes
):
    def edit(workbook):
        workbook["Register"]["E3"] = None
        workbook["Areas"]["E4"] = ""
        workbook["Lessons"]["F2"] = "99"

    assert problems_of(edited_workbook(workbook_2017_bytes, edit), register_2017) == [
        "Register sheet, row 3, column Description: is required",
        "Areas sheet, row 4, column Description: is required",
        "Lessons sheet, row 2, column Related areas: no area numbered 99",
    ]


def test_a_changed_matrix_cell_is_refused_on_the_matrix_sheet(
    register_2017, workbook_2017_bytes
):
    def edit(workbook):
        workbook["Matrix"]["B2"] = "very high"

    assert problems_of(edited_workbook(workbook_2017_bytes, edit), register_2017) == [
        "Matrix sheet: cell likelihood 5 x impact 1 is 'Very High' (the register has "
        "'Low') differs from the register's; an import does not change the "
        "methodology: ask a Methodology admin to change it on the methodology page "
        "first, or export the register again"
    ]


def test_a_filtered_workbook_cannot_be_imported(register_2017):
    content = workbook_of(
        register_2017, criteria={"rating": "High"}, filters=[("Rating", "High")]
    )

    assert problems_of(content, register_2017) == [
        "Info sheet, row 15, column B: the workbook was exported with filters "
        "(Rating: High) and holds only part of the register; export it without "
        "filters to import it"
    ]


def test_a_workbook_that_is_not_ours_is_refused(workbook_2017_bytes, register_2017):
    def strip_info(workbook):
        del workbook["Info"]

    def strip_format(workbook):
        workbook["Info"]["B16"] = "something else"

    assert problems_of(edited_workbook(workbook_2017_bytes, strip_info)) == [
        "Workbook: this is not a Smart Risk Register workbook (it has no Info "
        "sheet); export the register to Excel and edit that file."
    ]
    assert problems_of(edited_workbook(workbook_2017_bytes, strip_format)) == [
        "Info sheet, row 16, column B: this is not a Smart Risk Register workbook "
        "(no Format row reading 'smart-risk-register workbook, version 1'); export "
        "the register to Excel and edit that file"
    ]


def test_missing_sheets_and_columns_are_named(workbook_2017_bytes, register_2017):
    def edit(workbook):
        del workbook["Glossary"]
        workbook["Register"]["G1"] = "Chance"

    problems = problems_of(edited_workbook(workbook_2017_bytes, edit), register_2017)

    assert problems == [
        "Workbook: the sheet 'Glossary' is missing",
    ]


def test_a_missing_column_is_named(workbook_2017_bytes, register_2017):
    def edit(workbook):
        workbook["Register"]["G1"] = "Chance"

    problems = problems_of(edited_workbook(workbook_2017_bytes, edit), register_2017)

    assert (
        problems[0] == "Register sheet, row 1, column Likelihood: the column is missing"
    )


def test_a_file_with_one_bad_row_writes_nothing(
    register_2017, workbook_2017_bytes, editor
):
    def edit(workbook):
        sheet = workbook["Register"]
        sheet["E2"] = "Changed description"
        sheet["G14"] = "sometimes"

    with pytest.raises(ImportFileError):
        import_batch_create(
            user=editor,
            filename="srr.xlsx",
            content=edited_workbook(workbook_2017_bytes, edit),
            register=register_2017,
        )

    assert ImportBatch.objects.count() == 0
    assert SubRisk.objects.get(reference="SRR-2017/1.a").statement.startswith(
        "The risk that the mass roll-out"
    )
