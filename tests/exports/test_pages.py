import datetime
import io
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from risks.exports import common
from tests.exports.conftest import AREAS_2017, open_workbook, sheet_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def time_machine_today(monkeypatch):
    """Makes today 4 March 2026 for export file names."""
    today = SimpleNamespace(localdate=lambda: datetime.date(2026, 3, 4))
    monkeypatch.setattr(common, "timezone", today)


def export_url(register, file_format):
    return reverse("risks:register-export", args=[register.reference, file_format])


def print_url(register):
    return reverse("risks:register-print", args=[register.reference])


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "json", "pdf"])
def test_exports_need_a_login_and_a_role(outsider_client, register_2017, file_format):
    url = export_url(register_2017, file_format)

    assert Client().get(url)["Location"] == f"/accounts/login/?next={url}"
    assert outsider_client.get(url).status_code == 403


def test_print_view_needs_a_login_and_a_role(outsider_client, register_2017):
    assert Client().get(print_url(register_2017)).status_code == 302
    assert outsider_client.get(print_url(register_2017)).status_code == 403


@pytest.mark.parametrize(
    ("file_format", "content_type"),
    [
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("csv", "text/csv; charset=utf-8"),
        ("json", "application/json"),
    ],
)
def test_viewer_downloads_a_file_named_by_reference_and_date(
    viewer_client, register_2017, file_format, content_type, time_machine_today
):
    response = viewer_client.get(export_url(register_2017, file_format))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="SRR-2017-2026-03-04.{file_format}"'
    )


def test_csv_download_streams(viewer_client, register_2017):
    response = viewer_client.get(export_url(register_2017, "csv"))

    assert response.streaming
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeffReference,Area,Area name,")
    assert text.count("\r\n") == 14


def test_export_honours_the_overview_filters(viewer_client, register_2017):
    response = viewer_client.get(
        export_url(register_2017, "xlsx"),
        {"rating": "Medium", "group": "Data Retrieval"},
    )

    workbook = open_workbook(body(response))
    assert [row[0] for row in sheet_values(workbook["Register"])[1:]] == [
        "SRR-2017/7.a",
        "SRR-2017/9.a",
        "SRR-2017/10.a",
    ]
    info = {row[0]: row[1] for row in sheet_values(workbook["Info"]) if row[0]}
    assert info["Filters"] == "Rating: Medium; Group: Data Retrieval"


def test_area_export_holds_that_area_only(viewer_client, register_2017):
    response = viewer_client.get(export_url(register_2017, "csv"), {"area": 6})

    lines = body(response).decode().splitlines()[1:]
    assert [line.split(",")[0] for line in lines] == ["SRR-2017/6.a", "SRR-2017/6.b"]


def test_json_download_is_always_the_whole_register(viewer_client, register_2017):
    response = viewer_client.get(export_url(register_2017, "json"), {"rating": "High"})

    assert len(response.json()["areas"]) == 10


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rating": "Severe"}, "Rating: Unknown rating &#x27;Severe&#x27;."),
        ({"area": "11"}, "Risk area: Unknown risk area &#x27;11&#x27;."),
        ({"likelihood": "x"}, "Likelihood: Unknown likelihood &#x27;x&#x27;."),
    ],
)
def test_bad_filters_get_a_400_naming_the_filter(
    viewer_client, register_2017, params, message
):
    response = viewer_client.get(export_url(register_2017, "xlsx"), params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_unknown_format_or_register_is_404(viewer_client, register_2017):
    assert viewer_client.get(export_url(register_2017, "docx")).status_code == 404
    assert (
        viewer_client.get(
            reverse("risks:register-export", args=["NOPE", "csv"])
        ).status_code
        == 404
    )


def test_overview_and_area_pages_link_their_exports(viewer_client, register_2017):
    overview = viewer_client.get(
        reverse("risks:register-detail", args=["SRR-2017"]), {"rating": "High"}
    ).content.decode()
    area = viewer_client.get(
        reverse("risks:area-detail", args=["SRR-2017", 5])
    ).content.decode()

    assert '<a href="/registers/SRR-2017/export/xlsx/?rating=High">' in overview
    assert '<a href="/registers/SRR-2017/print/?rating=High">Print view</a>' in overview
    assert '<a href="/registers/SRR-2017/export/json/">' in overview
    assert "Export what you see" in overview
    assert '<a href="/registers/SRR-2017/export/csv/?area=5">' in area
    assert "Export this area" in area
    assert "Import an edited file" not in overview


def test_editors_see_the_import_links(editor_client, register_2017):
    overview = editor_client.get(
        reverse("risks:register-detail", args=["SRR-2017"])
    ).content.decode()
    registers = editor_client.get(reverse("risks:register-list")).content.decode()

    assert 'href="/registers/SRR-2017/import/"' in overview
    assert 'href="/registers/import/"' in registers


def test_print_view_follows_the_source_order(viewer_client, register_2017):
    response = viewer_client.get(print_url(register_2017))

    html = response.content.decode()
    assert response.status_code == 200
    order = [
        html.index('id="summary-heading"'),
        html.index('id="matrix-heading"'),
        *(html.index(f'id="area-{number}-heading"') for number in range(1, 11)),
        html.index('id="lessons-heading"'),
        html.index('id="glossary-heading"'),
    ]
    assert order == sorted(order)
    assert html.count('class="print-section print-area"') == 10
    assert '<link rel="stylesheet" href="/static/css/print.css">' in html
    assert 'href="/registers/SRR-2017/export/pdf/"' in html


def test_print_view_with_filters_says_so(viewer_client, register_2017):
    html = viewer_client.get(
        print_url(register_2017), {"rating": "High"}
    ).content.decode()

    assert "<strong>Filtered:</strong> Rating: High." in html
    assert 'id="row-8-a"' in html
    assert 'id="row-1-a"' not in html


def test_print_view_reads_in_a_fixed_number_of_queries(
    viewer_client, register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        viewer_client.get(print_url(register_2017))


def test_pdf_of_the_2017_register_renders_all_ten_areas(viewer_client, register_2017):
    response = viewer_client.get(export_url(register_2017, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for number, name in enumerate(AREAS_2017, start=1):
        assert f"{number}. {name}" in text
    assert "Summary of risks" in text
    assert "Lessons from earlier roll-outs" in text
    assert "Page 1 of" in text


def test_excel_download_reads_in_a_fixed_number_of_queries(
    viewer_client, register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = viewer_client.get(export_url(register_2017, "xlsx"))

    assert response.status_code == 200
