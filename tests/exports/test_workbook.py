import datetime

import pytest

from risks.exports.workbook import CELL_LIMIT, CUT_MARKER, FORMAT_MARK, NO_FILTERS
from tests.exports.conftest import (
    AREAS_2017,
    FILLS,
    RATINGS_2017,
    open_workbook,
    sheet_values,
    workbook_of,
)
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

SHEETS = [
    "Info",
    "Summary",
    "Register",
    "Areas",
    "Risk factors",
    "Mitigations",
    "Lessons",
    "Lesson sources",
    "Glossary",
    "Matrix",
    "Scales",
    "Rating levels",
]


def colours(cell):
    return cell.fill.fgColor.rgb, cell.font.color.rgb


def test_workbook_has_every_sheet_in_order(workbook_2017):
    assert workbook_2017.sheetnames == SHEETS


def test_summary_sheet_is_laid_out_like_section_2(workbook_2017):
    sheet = workbook_2017["Summary"]
    rows = sheet_values(sheet)

    assert rows[0][0] == "Smart Risk Register: summary of risks"
    assert rows[1][0] == "Every live sub-risk"
    assert rows[2] == [
        "Risk area",
        "Ref",
        "Description",
        "Likelihood",
        "Settlement impact",
        "Settlement risk rating",
    ]
    body = [(r[0], r[1], r[3], r[4], r[5]) for r in rows[3:]]
    assert body == [
        ("1. Readiness", "1.a", "Very High", "Very Low", "Low"),
        ("2. Installation", "2.a", "High", "Very Low", "Low"),
        (None, "2.b", "Low", "High", "Medium"),
        ("3. Inter-operability", "3.a", "Medium", "Medium", "Medium"),
        ("4. Legacy", "4.a", "Medium", "Medium", "Medium"),
        ("Data Retrieval", None, None, None, None),
        ("5. Metering", "5.a", "Very Low", "Very High", "Low"),
        (None, "5.b", "Very High", "Very Low", "Low"),
        ("6. Communications", "6.a", "Very Low", "High", "Low"),
        (None, "6.b", "Very High", "Very Low", "Low"),
        ("7. DCC user interface", "7.a", "Medium", "Medium", "Medium"),
        ("8. Supplier-agent interfaces", "8.a", "Medium", "High", "High"),
        ("9. Meter operations", "9.a", "Low", "Medium", "Medium"),
        ("10. Data processing", "10.a", "Low", "Medium", "Medium"),
    ]
    assert sheet.freeze_panes == "A4"


def test_summary_rating_cells_are_filled_with_the_rating_colour(workbook_2017):
    sheet = workbook_2017["Summary"]

    for row in sheet.iter_rows(min_row=4):
        rating = row[5]
        if rating.value:
            assert colours(rating) == FILLS[rating.value], rating.coordinate
    group = sheet["A9"]
    assert (group.value, group.font.bold, group.fill.fgColor.rgb) == (
        "Data Retrieval",
        True,
        "FFE3E9F1",
    )


def test_register_sheet_lists_every_subrisk_with_its_narrative(
    workbook_2017, register_document
):
    sheet = workbook_2017["Register"]
    rows = sheet_values(sheet)

    assert rows[0] == [
        "Reference",
        "Area",
        "Area name",
        "Group",
        "Description",
        "Rating label",
        "Likelihood",
        "Settlement impact",
        "Rating",
    ]
    assert [(r[0], r[6], r[7], r[8]) for r in rows[1:]] == RATINGS_2017
    expected = [
        (area["number"], area["name"], area["group"] or None, s["statement"])
        for area in register_document["areas"]
        for s in area["subrisks"]
    ]
    assert [(r[1], r[2], r[3], r[4]) for r in rows[1:]] == expected
    for row in sheet.iter_rows(min_row=2):
        assert colours(row[8]) == FILLS[row[8].value]
        assert row[4].alignment.wrap_text is True
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:I14"
    assert sheet.column_dimensions["E"].width == 60


def test_area_factor_and_mitigation_sheets(workbook_2017):
    areas = sheet_values(workbook_2017["Areas"])
    factors = sheet_values(workbook_2017["Risk factors"])
    mitigations = sheet_values(workbook_2017["Mitigations"])

    assert [row[2] for row in areas[1:]] == AREAS_2017
    assert areas[2][:4] == [2, "SRR-2017/2", "Installation", None]
    assert areas[2][8] == "1, 4, 7, 8"
    assert factors[0] == ["Reference", "Area", "Style", "Lead-in", "Text"]
    assert len(factors) == 1 + 89
    assert mitigations[0] == [
        "Reference",
        "Area",
        "Kind",
        "None proposed",
        "Text",
        "Owner",
        "Status",
        "Due date",
        "References",
        "Sub-risks",
    ]
    by_ref = {row[0]: row for row in mitigations[1:]}
    assert by_ref["SRR-2017/1/M1"][2:4] == ["Current", "No"]
    assert by_ref["SRR-2017/1/M1"][5:] == [
        "Suppliers",
        None,
        None,
        "SLC 43; SLC 44",
        None,
    ]
    assert by_ref["SRR-2017/2/M5"][2:4] == ["Proposed", "No"]
    assert by_ref["SRR-2017/2/M5"][5:7] == ["ELEXON", "Proposed"]
    assert by_ref["SRR-2017/2/M5"][9] == "b"
    assert by_ref["SRR-2017/2/M6"][2:4] == ["Proposed", "Yes"]


def test_lessons_glossary_and_sources(workbook_2017, register_document):
    lessons = sheet_values(workbook_2017["Lessons"])
    sources = sheet_values(workbook_2017["Lesson sources"])
    glossary = sheet_values(workbook_2017["Glossary"])

    assert [row[:3] for row in lessons[1:4]] == [
        ["SRR-2017/L/AM-1", "AM", 1],
        ["SRR-2017/L/AM-2", "AM", 2],
        ["SRR-2017/L/AM-3", "AM", 3],
    ]
    assert sources[1:] == [
        ["AM", "Advanced Meters"],
        ["P272", "P272"],
        ["FM", "Foundation metering"],
    ]
    assert len(glossary) == 1 + len(register_document["glossary"])
    assert ["DCC", "Data Communications Company"] in glossary


def test_matrix_sheet_is_a_coloured_grid(workbook_2017):
    sheet = workbook_2017["Matrix"]
    rows = sheet_values(sheet)

    assert rows[0] == [
        "Likelihood \\ Settlement impact",
        "1 Very Low",
        "2 Low",
        "3 Medium",
        "4 High",
        "5 Very High",
    ]
    assert rows[1:] == [
        ["5 Very High", "Low", "Medium", "High", "Very High", "Very High"],
        ["4 High", "Low", "Medium", "High", "High", "Very High"],
        ["3 Medium", "Low", "Medium", "Medium", "High", "High"],
        ["2 Low", "Low", "Low", "Medium", "Medium", "Medium"],
        ["1 Very Low", "Low", "Low", "Low", "Low", "Low"],
    ]
    for row in sheet.iter_rows(min_row=2, min_col=2):
        for cell in row:
            assert colours(cell) == FILLS[cell.value]
    assert sheet.freeze_panes == "B2"


def test_scales_and_rating_levels(workbook_2017):
    scales = sheet_values(workbook_2017["Scales"])
    ratings = workbook_2017["Rating levels"]

    assert scales[1][:3] == ["Likelihood", 1, "Very Low"]
    assert scales[10][:3] == ["Settlement impact", 5, "Very High"]
    assert [row[:3] for row in sheet_values(ratings)[1:]] == [
        [1, "Low", "#2e7d32"],
        [2, "Medium", "#f2c200"],
        [3, "High", "#e8710a"],
        [4, "Very High", "#c62828"],
    ]
    assert colours(ratings["B5"]) == FILLS["Very High"]


def test_info_sheet_and_properties_name_register_version_status_and_time(
    register_2017,
):
    moment = datetime.datetime(2026, 3, 4, 9, 30, tzinfo=datetime.UTC)
    from risks.exports.common import ExportScope
    from risks.exports.workbook import register_to_workbook

    scope = ExportScope.for_register(register_2017)
    workbook = open_workbook(
        register_to_workbook(register_2017, scope.subrisks, exported_at=moment)
    )

    info = {row[0]: row[1] for row in sheet_values(workbook["Info"]) if row[0]}
    assert info["Reference"] == "SRR-2017"
    assert info["Name"] == "Smart Risk Register"
    assert info["Version"] == "1.0"
    assert info["Status"] == "In use"
    assert info["Effective date"].date() == datetime.date(2017, 5, 24)
    assert info["Exported at"] == "4 March 2026, 09:30 (GMT)"
    assert info["Filters"] == NO_FILTERS
    assert info["Format"] == FORMAT_MARK
    properties = workbook.properties
    assert properties.title == "Smart Risk Register (SRR-2017)"
    assert properties.created.replace(tzinfo=datetime.UTC) == moment
    assert properties.description == (
        "Smart Risk Register, version 1.0, status In use; exported 4 March 2026, "
        "09:30 (GMT)"
    )
    custom = {prop.name: prop.value for prop in workbook.custom_doc_props.props}
    assert custom["Register reference"] == "SRR-2017"
    assert custom["Register version"] == "1.0"
    assert custom["Register status"] == "In use"
    assert custom["Exported at"] == "2026-03-04T09:30:00+00:00"


def test_workbook_neutralises_formulas_in_every_text_cell():
    register = RegisterFactory(reference="INJ", name="=1+2")
    area = RiskAreaFactory(register=register, number=1, name="@area", group="+grp")
    SubRiskFactory(area=area, statement='=HYPERLINK("http://evil")')

    workbook = open_workbook(workbook_of(register))

    row = sheet_values(workbook["Register"])[1]
    assert row[2:5] == ["'@area", "'+grp", '\'=HYPERLINK("http://evil")']
    assert workbook["Register"]["E2"].data_type == "s"
    assert workbook["Info"]["A1"].value == "'=1+2"
    assert all(
        cell.data_type != "f"
        for sheet in workbook
        for row in sheet.iter_rows()
        for cell in row
    )


def test_text_too_long_for_an_excel_cell_is_cut_with_a_visible_marker():
    register = RegisterFactory(reference="LONG", description="d" * 40000)
    area = RiskAreaFactory(register=register, number=1)
    SubRiskFactory(area=area, statement="s" * 32767)
    SubRiskFactory(area=area, statement="t" * 40000)

    workbook = open_workbook(workbook_of(register))

    statements = [row[4] for row in sheet_values(workbook["Register"])[1:]]
    info = {row[0]: row[1] for row in sheet_values(workbook["Info"]) if row[0]}
    kept = CELL_LIMIT - len(CUT_MARKER)
    assert statements == ["s" * 32767, "t" * kept + CUT_MARKER]
    assert info["Description"] == "d" * kept + CUT_MARKER
    assert CUT_MARKER == "… [cut: too long for Excel; use the JSON export]"


def test_filtered_workbook_names_its_filters_and_holds_their_areas(register_2017):
    workbook = open_workbook(
        workbook_of(
            register_2017,
            criteria={"rating": "High"},
            filters=[("Rating", "High")],
        )
    )

    info = {row[0]: row[1] for row in sheet_values(workbook["Info"]) if row[0]}
    assert info["Filters"] == "Rating: High"
    assert [row[0] for row in sheet_values(workbook["Register"])[1:]] == [
        "SRR-2017/8.a"
    ]
    assert [row[0] for row in sheet_values(workbook["Areas"])[1:]] == [8]
    assert sheet_values(workbook["Summary"])[1][0] == "Filtered by Rating: High"


def test_workbook_is_built_in_a_fixed_number_of_queries(
    register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(15):
        workbook_of(register_2017)
