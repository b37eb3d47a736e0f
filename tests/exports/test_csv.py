import csv
import io

import pytest

from risks.exports.common import ExportScope, neutralise, restore_text
from risks.exports.tabular import CSV_COLUMNS, csv_lines
from tests.exports.conftest import RATINGS_2017
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db


def csv_text(register, **scope):
    chosen = ExportScope.for_register(register, **scope)
    return "".join(csv_lines(register, chosen.subrisks))


def parse(text):
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_of_2017_register_has_stable_columns_and_every_rating(
    register_2017, register_document
):
    rows = parse(csv_text(register_2017))

    assert rows[0] == [
        "Reference",
        "Area",
        "Area name",
        "Group",
        "Description",
        "Rating label",
        "Likelihood",
        "Likelihood value",
        "Settlement impact",
        "Settlement impact value",
        "Rating",
        "Rating rank",
    ]
    assert rows[0] == CSV_COLUMNS
    assert [(r[0], r[6], r[8], r[10]) for r in rows[1:]] == RATINGS_2017
    statements = [
        (area["number"], subrisk["statement"], subrisk["rating_label"])
        for area in register_document["areas"]
        for subrisk in area["subrisks"]
    ]
    assert [(int(r[1]), r[4], r[5]) for r in rows[1:]] == statements


def test_csv_rows_carry_area_group_values_and_rank(register_2017):
    rows = {row[0]: row for row in parse(csv_text(register_2017))[1:]}

    assert rows["SRR-2017/8.a"][1:4] == [
        "8",
        "Supplier-agent interfaces",
        "Data Retrieval",
    ]
    assert rows["SRR-2017/8.a"][6:] == ["Medium", "3", "High", "4", "High", "3"]
    assert rows["SRR-2017/1.a"][1:4] == ["1", "Readiness", ""]
    assert rows["SRR-2017/1.a"][6:] == ["Very High", "5", "Very Low", "1", "Low", "1"]


def test_csv_lines_end_with_crlf_and_keep_line_breaks_inside_cells():
    area = RiskAreaFactory(register=RegisterFactory(reference="CRLF"), number=1)
    SubRiskFactory(area=area, statement="First paragraph.\n\nSecond paragraph.")

    text = csv_text(area.register)

    assert text.split("\r\n")[0].startswith("\ufeffReference,Area,")
    assert parse(text)[1][4] == "First paragraph.\n\nSecond paragraph."


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("\rReturn", "'\rReturn"),
        ("'quoted", "''quoted"),
        ("Plain = text", "Plain = text"),
    ],
)
def test_csv_neutralises_cells_that_a_spreadsheet_would_run(given, written):
    area = RiskAreaFactory(register=RegisterFactory(reference="INJ"), number=1)
    SubRiskFactory(area=area, statement=given)

    row = parse(csv_text(area.register))[1]

    assert row[4] == written
    assert restore_text(written) == given
    assert neutralise(given) == written


def test_csv_neutralises_names_too():
    register = RegisterFactory(reference="INJ2")
    area = RiskAreaFactory(register=register, number=1, name="=cmd|' /C calc'!A0")
    SubRiskFactory(area=area, rating_label="@risk")

    row = parse(csv_text(register))[1]

    assert (row[2], row[5]) == ("'=cmd|' /C calc'!A0", "'@risk")


def test_csv_honours_the_overview_filters(register_2017):
    rows = parse(
        csv_text(
            register_2017, criteria={"rating": "Medium", "group": "Data Retrieval"}
        )
    )

    assert [row[0] for row in rows[1:]] == [
        "SRR-2017/7.a",
        "SRR-2017/9.a",
        "SRR-2017/10.a",
    ]


def test_csv_streams_in_a_fixed_number_of_queries(
    register_2017, django_assert_max_num_queries
):
    chosen = ExportScope.for_register(register_2017)

    with django_assert_max_num_queries(1):
        lines = list(csv_lines(register_2017, chosen.subrisks))

    assert len(lines) == 14
