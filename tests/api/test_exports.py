import io

import pytest
from django.test import Client
from rest_framework import status

from tests.exports.conftest import open_workbook, sheet_values

pytestmark = pytest.mark.django_db

URL = "/api/v1/registers/SRR-2017/export/"


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_api_export_needs_the_viewer_role(outsider_client, register_2017):
    assert Client().get(URL, {"format": "csv"}).status_code == (
        status.HTTP_401_UNAUTHORIZED
    )
    assert outsider_client.get(URL, {"format": "csv"}).status_code == (
        status.HTTP_403_FORBIDDEN
    )


@pytest.mark.parametrize("rating", ["High", "high", "HIGH"])
def test_api_exports_with_a_token(token_client, register_2017, rating):
    response = token_client.get(URL, {"format": "xlsx", "rating": rating})

    assert response.status_code == status.HTTP_200_OK
    workbook = open_workbook(body(response))
    assert [row[0] for row in sheet_values(workbook["Register"])[1:]] == [
        "SRR-2017/8.a"
    ]


def test_api_export_refuses_unknown_and_repeated_parameters(
    viewer_client, register_2017
):
    unknown = viewer_client.get(f"{URL}?format=csv&page_size=0")
    repeated = viewer_client.get(f"{URL}?format=csv&format=json")

    assert (unknown.status_code, repeated.status_code) == (400, 400)
    assert unknown.json()["errors"] == [
        {
            "field": "page_size",
            "message": "Unknown query parameter; the export takes: area, format, "
            "group, impact, likelihood, q, rating, review",
            "code": "unknown_field",
        }
    ]
    assert repeated.json()["errors"] == [
        {"field": "format", "message": "Give this parameter once.", "code": "repeated"}
    ]


@pytest.mark.parametrize(
    ("file_format", "content_type", "starts"),
    [
        ("csv", "text/csv; charset=utf-8", b"\xef\xbb\xbfReference,"),
        ("json", "application/json", b'{\n  "format": "smart-risk-register"'),
        (
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            b"PK",
        ),
    ],
)
def test_api_export_formats(
    viewer_client, register_2017, file_format, content_type, starts
):
    response = viewer_client.get(URL, {"format": file_format})

    assert response.status_code == status.HTTP_200_OK
    assert response["Content-Type"] == content_type
    assert body(response).startswith(starts)
    assert response["Content-Disposition"].startswith('attachment; filename="SRR-2017-')


def test_api_export_refuses_a_bad_format_or_filter_as_json(
    viewer_client, register_2017
):
    missing = viewer_client.get(URL)
    unknown = viewer_client.get(URL, {"format": "docx"})
    bad_filter = viewer_client.get(URL, {"format": "csv", "rating": "Severe"})

    assert missing.status_code == status.HTTP_400_BAD_REQUEST
    wrong_format = {
        "errors": [
            {
                "code": "invalid",
                "field": "format",
                "message": "Choose one of: xlsx, csv, json, pdf.",
            }
        ]
    }
    assert missing.json() == wrong_format
    assert unknown.json() == wrong_format
    assert bad_filter.status_code == status.HTTP_400_BAD_REQUEST
    assert bad_filter.json() == {
        "errors": [
            {
                "code": "invalid",
                "field": "rating",
                "message": "Unknown rating 'Severe'.",
            }
        ]
    }


def test_api_export_of_an_unknown_register_is_404(viewer_client, register_2017):
    response = viewer_client.get("/api/v1/registers/NOPE/export/", {"format": "csv"})

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response["Content-Type"] == "application/json"


def test_api_export_does_not_disturb_the_register_detail(viewer_client, register_2017):
    response = viewer_client.get("/api/v1/registers/SRR-2017/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["reference"] == "SRR-2017"


def test_api_export_reads_in_a_fixed_number_of_queries(
    viewer_client, register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        response = viewer_client.get(URL, {"format": "xlsx"})

    assert io.BytesIO(body(response)).read(2) == b"PK"
