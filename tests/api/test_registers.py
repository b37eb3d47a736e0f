import datetime as dt

import pytest
from django.urls import resolve
from django.utils import timezone
from rest_framework import status

from risks.models import Methodology, Register
from tests.api.conftest import CREATED_JSON, UPDATED_JSON
from tests.factories import RegisterFactory

pytestmark = pytest.mark.django_db


def references(response, field="reference"):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row[field] for row in response.json()["results"]]


def test_register_detail_has_the_full_shape(viewer_client, fix_timestamps):
    RegisterFactory(
        reference="SRR-2017",
        name="Smart Risk Register",
        effective_date=dt.date(2017, 5, 24),
        approving_body="BSC Panel",
        paper_reference="268/07",
        description="Interim register.",
        source_citation="ELEXON, 2017.",
    )
    fix_timestamps(Register.objects.all())

    response = viewer_client.get("/api/v1/registers/SRR-2017/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/registers/SRR-2017/",
        "reference": "SRR-2017",
        "name": "Smart Risk Register",
        "version": "1.0",
        "status": "in_use",
        "effective_date": "2017-05-24",
        "approving_body": "BSC Panel",
        "paper_reference": "268/07",
        "description": "Interim register.",
        "source_citation": "ELEXON, 2017.",
        "methodology": {
            "url": "http://testserver/api/v1/methodologies/SRR-2017/",
            "name": "Likelihood x Settlement Impact",
            "version": 1,
        },
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


def test_register_reference_routes_to_the_detail():
    match = resolve("/api/v1/registers/SRR-2017/")

    assert (match.view_name, match.kwargs) == (
        "api:register-detail",
        {"reference": "SRR-2017"},
    )


@pytest.fixture
def registers(db):
    RegisterFactory(reference="OLD", name="Alpha", effective_date=dt.date(2016, 4, 1))
    RegisterFactory(
        reference="NEW",
        name="Beta",
        effective_date=dt.date(2018, 4, 1),
        status=Register.Status.DRAFT,
        description="The enduring risk evaluation register.",
    )
    RegisterFactory(reference="UNDATED", name="Gamma")
    RegisterFactory(reference="GONE", archived_at=timezone.now())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["NEW", "OLD", "UNDATED"]),
        ("status=draft", ["NEW"]),
        ("q=enduring", ["NEW"]),
        ("q=gamma", ["UNDATED"]),
        ("ordering=effective_date", ["UNDATED", "OLD", "NEW"]),
        ("ordering=-name", ["UNDATED", "NEW", "OLD"]),
    ],
)
def test_register_filters_and_ordering(viewer_client, registers, query, expected):
    assert references(viewer_client.get(f"/api/v1/registers/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("status=retired", "status"), ("ordering=paper_reference", "ordering")],
)
def test_register_filters_refuse_unknown_values(
    viewer_client, registers, query, parameter
):
    response = viewer_client.get(f"/api/v1/registers/?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [error["field"] for error in response.json()["errors"]] == [parameter]


def test_archived_register_and_its_methodology_are_not_found(viewer_client, registers):
    for url in ("/api/v1/registers/GONE/", "/api/v1/methodologies/GONE/"):
        assert viewer_client.get(url).status_code == status.HTTP_404_NOT_FOUND


def test_methodology_detail_has_the_full_shape(viewer_client, fix_timestamps):
    RegisterFactory(
        reference="SRR-2017",
        methodology={
            "name": "Two by two",
            "likelihood_levels": [
                {"value": 1, "label": "Unlikely", "definition": "Once a decade."},
                {"value": 2, "label": "Likely", "definition": "Every year."},
            ],
            "impact_levels": [
                {"value": 1, "label": "Minor", "definition": ""},
                {"value": 2, "label": "Major", "definition": "Over 1 GWh."},
            ],
            "rating_levels": [
                {
                    "rank": 1,
                    "name": "Low",
                    "colour": "#2e7d32",
                    "description": "Low Risk",
                    "review_interval_days": None,
                },
                {
                    "rank": 2,
                    "name": "High",
                    "colour": "#c62828",
                    "description": "High Risk",
                    "review_interval_days": 90,
                },
            ],
            "matrix": {(1, 1): "Low", (1, 2): "Low", (2, 1): "Low", (2, 2): "High"},
        },
    )
    fix_timestamps(Methodology.objects.all())

    response = viewer_client.get("/api/v1/methodologies/SRR-2017/")

    assert response.status_code == status.HTTP_200_OK
    low = {"name": "Low", "rank": 1, "colour": "#2e7d32"}
    assert response.json() == {
        "url": "http://testserver/api/v1/methodologies/SRR-2017/",
        "register": "SRR-2017",
        "name": "Two by two",
        "version": 1,
        "likelihood_levels": [
            {"value": 1, "label": "Unlikely", "definition": "Once a decade."},
            {"value": 2, "label": "Likely", "definition": "Every year."},
        ],
        "impact_levels": [
            {"value": 1, "label": "Minor", "definition": ""},
            {"value": 2, "label": "Major", "definition": "Over 1 GWh."},
        ],
        "rating_levels": [
            {
                "name": "Low",
                "rank": 1,
                "colour": "#2e7d32",
                "description": "Low Risk",
                "review_interval_days": None,
            },
            {
                "name": "High",
                "rank": 2,
                "colour": "#c62828",
                "description": "High Risk",
                "review_interval_days": 90,
            },
        ],
        "matrix": [
            {
                "likelihood": {"value": 2, "label": "Likely"},
                "impact": {"value": 1, "label": "Minor"},
                "rating": low,
            },
            {
                "likelihood": {"value": 2, "label": "Likely"},
                "impact": {"value": 2, "label": "Major"},
                "rating": {"name": "High", "rank": 2, "colour": "#c62828"},
            },
            {
                "likelihood": {"value": 1, "label": "Unlikely"},
                "impact": {"value": 1, "label": "Minor"},
                "rating": low,
            },
            {
                "likelihood": {"value": 1, "label": "Unlikely"},
                "impact": {"value": 2, "label": "Major"},
                "rating": low,
            },
        ],
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


def test_methodology_list_filters_by_register(viewer_client, registers):
    response = viewer_client.get("/api/v1/methodologies/?register=OLD")

    assert references(response, "register") == ["OLD"]


def test_methodology_list_orders_by_register_reference(viewer_client, registers):
    response = viewer_client.get("/api/v1/methodologies/?ordering=-register")

    assert references(response, "register") == ["UNDATED", "OLD", "NEW"]


def test_methodology_filter_refuses_an_unknown_register(viewer_client, registers):
    response = viewer_client.get("/api/v1/methodologies/?register=GONE")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [
            {
                "field": "register",
                "message": "No register has the reference “GONE”.",
                "code": "invalid_choice",
            }
        ]
    }


def test_format_json_is_the_default_and_other_formats_are_not_found(
    viewer_client, register
):
    url = f"/api/v1/registers/{register.reference}/"

    plain = viewer_client.get(url).json()
    json = viewer_client.get(url, {"format": "json"})
    other = viewer_client.get(url, {"format": "xml"})

    assert json.status_code == status.HTTP_200_OK
    assert json["Content-Type"] == "application/json"
    # DRF keeps the parameter in the answer's links, so they answer alike.
    assert json.json() == {
        **plain,
        "url": f"{plain['url']}?format=json",
        "methodology": {
            **plain["methodology"],
            "url": f"{plain['methodology']['url']}?format=json",
        },
    }
    assert other.status_code == status.HTTP_404_NOT_FOUND
    assert other.json() == {
        "errors": [{"field": None, "message": "Not found.", "code": "not_found"}]
    }
