import datetime as dt

import pytest
from django.db import models
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework import status

from risks.models import Register, RiskArea, SubRisk
from tests.api.conftest import CREATED_JSON, UPDATED_JSON
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/subrisks/"


def references(response):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def subrisks(register):
    """Five sub-risks over two areas of REG-A and one of another register."""
    readiness = RiskAreaFactory(register=register, number=1, name="Readiness")
    retrieval = RiskAreaFactory(
        register=register, number=5, name="Metering", group="Data Retrieval"
    )
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)
    return {
        "1.a": SubRiskFactory(
            area=readiness,
            statement="Roll-out delayed by lack of industry readiness.",
            likelihood_value=5,
            impact_value=1,
        ),
        "1.b": SubRiskFactory(
            area=readiness,
            statement="Installation errors cause data quality issues.",
            rating_label="Likelihood of installation errors",
            likelihood_value=2,
            impact_value=4,
        ),
        "5.a": SubRiskFactory(
            area=retrieval,
            statement="Systemic issues with a batch of meters.",
            likelihood_value=1,
            impact_value=5,
        ),
        "5.b": SubRiskFactory(
            area=retrieval,
            statement="Supplier interface with its agents fails.",
            likelihood_value=3,
            impact_value=4,
        ),
        "B1.a": SubRiskFactory(
            area=other,
            statement="Another register's risk.",
            likelihood_value=5,
            impact_value=2,
        ),
    }


def test_subrisk_detail_has_the_full_shape(viewer_client, register, fix_timestamps):
    area = RiskAreaFactory(register=register, number=2, name="Installation")
    SubRiskFactory(area=area, statement="Aborted visits.", likelihood_value=4)
    subrisk = SubRiskFactory(
        area=area,
        statement="Installation errors cause data quality issues.",
        rating_label="Likelihood of installation errors",
        likelihood_value=2,
        impact_value=4,
        reviewed_on=dt.date(2024, 1, 10),
        order=3,
    )
    fix_timestamps(SubRisk.objects.all())

    response = viewer_client.get(f"/api/v1/subrisks/{subrisk.reference}/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/subrisks/REG-A/2.b/",
        "reference": "REG-A/2.b",
        "register": "REG-A",
        "area": "REG-A/2",
        "statement": "Installation errors cause data quality issues.",
        "rating_label": "Likelihood of installation errors",
        "likelihood": {"value": 2, "label": "Low"},
        "impact": {"value": 4, "label": "High"},
        "rating": {"name": "Medium", "rank": 2, "colour": "#f2c200"},
        "methodology_version": 1,
        "reviewed_on": "2024-01-10",
        "order": 3,
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


def test_subrisk_reference_with_slash_and_dot_routes_to_the_detail():
    match = resolve("/api/v1/subrisks/SRR-2017/2.b/")

    assert (match.view_name, match.kwargs) == (
        "api:subrisk-detail",
        {"reference": "SRR-2017/2.b"},
    )
    assert (
        reverse("api:subrisk-detail", kwargs={"reference": "SRR-2017/2.b"})
        == "/api/v1/subrisks/SRR-2017/2.b/"
    )


def test_subrisk_rating_is_read_from_the_stored_rating(viewer_client, subrisks):
    # A stored rating that disagrees with the matrix shows that nothing recomputes.
    subrisk = subrisks["1.a"]
    very_high = subrisk.area.register.methodology.rating_levels.get(rank=4)
    models.QuerySet.update(SubRisk.objects.filter(pk=subrisk.pk), rating=very_high)

    response = viewer_client.get(f"/api/v1/subrisks/{subrisk.reference}/")

    assert response.json()["rating"] == {
        "name": "Very High",
        "rank": 4,
        "colour": "#c62828",
    }


def test_subrisk_list_is_in_register_area_and_key_order(viewer_client, subrisks):
    response = viewer_client.get(LIST)

    assert references(response) == [
        "REG-A/1.a",
        "REG-A/1.b",
        "REG-A/5.a",
        "REG-A/5.b",
        "REG-B/1.a",
    ]
    assert response.json()["count"] == 5


def test_unknown_subrisk_reference_is_not_found(viewer_client, subrisks):
    response = viewer_client.get("/api/v1/subrisks/REG-A/9.z/")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == {
        "errors": [{"field": None, "message": "Not found.", "code": "not_found"}]
    }


def test_archived_subrisks_are_left_out_of_list_and_detail(viewer_client, subrisks):
    SubRisk.objects.filter(pk=subrisks["1.b"].pk).update(archived_at=timezone.now())

    assert "REG-A/1.b" not in references(viewer_client.get(LIST))
    assert (
        viewer_client.get("/api/v1/subrisks/REG-A/1.b/").status_code
        == status.HTTP_404_NOT_FOUND
    )


def test_subrisks_of_archived_areas_and_registers_are_left_out(viewer_client, subrisks):
    RiskArea.objects.filter(pk=subrisks["5.a"].area_id).update(
        archived_at=timezone.now()
    )
    Register.objects.filter(reference="REG-B").update(archived_at=timezone.now())

    assert references(viewer_client.get(LIST)) == ["REG-A/1.a", "REG-A/1.b"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("register=REG-B", ["REG-B/1.a"]),
        ("area=REG-A/5", ["REG-A/5.a", "REG-A/5.b"]),
        ("group=data retrieval", ["REG-A/5.a", "REG-A/5.b"]),
        ("likelihood=5", ["REG-A/1.a", "REG-B/1.a"]),
        ("impact=4", ["REG-A/1.b", "REG-A/5.b"]),
        ("rating=high", ["REG-A/5.b"]),
        ("rating=LOW&register=REG-A", ["REG-A/1.a", "REG-A/5.a"]),
        ("min_rating_rank=2", ["REG-A/1.b", "REG-A/5.b", "REG-B/1.a"]),
        ("q=METERS", ["REG-A/5.a"]),
        ("q=installation errors", ["REG-A/1.b"]),
    ],
)
def test_subrisk_filters_narrow_the_list(viewer_client, subrisks, query, expected):
    assert references(viewer_client.get(f"{LIST}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter", "message"),
    [
        ("register=NOPE", "register", "No register has the reference “NOPE”."),
        ("area=REG-A/9", "area", "No area has the reference “REG-A/9”."),
        (
            "group=Nowhere",
            "group",
            "Unknown value “Nowhere”; use one of: Data Retrieval.",
        ),
        (
            "likelihood=9",
            "likelihood",
            "Unknown value “9”; use one of: 1, 2, 3, 4, 5.",
        ),
        ("likelihood=high", "likelihood", "Enter a whole number."),
        ("impact=0", "impact", "Unknown value “0”; use one of: 1, 2, 3, 4, 5."),
        (
            "rating=Purple",
            "rating",
            "Unknown value “Purple”; use one of: High, Low, Medium, Very High.",
        ),
        ("min_rating_rank=abc", "min_rating_rank", "Enter a whole number."),
        (
            "min_rating_rank=0",
            "min_rating_rank",
            "Ensure this value is greater than or equal to 1.",
        ),
        (
            "ordering=statement",
            "ordering",
            "Select a valid choice. statement is not one of the available choices.",
        ),
    ],
)
def test_subrisk_filter_refuses_unknown_values(
    viewer_client, subrisks, query, parameter, message
):
    response = viewer_client.get(f"{LIST}?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [
        (error["field"], error["message"]) for error in response.json()["errors"]
    ] == [(parameter, message)]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("rating", ["REG-A/1.a", "REG-A/5.a", "REG-A/1.b", "REG-B/1.a", "REG-A/5.b"]),
        (
            "-rating",
            ["REG-A/5.b", "REG-A/1.b", "REG-B/1.a", "REG-A/1.a", "REG-A/5.a"],
        ),
        (
            "-likelihood,impact",
            ["REG-A/1.a", "REG-B/1.a", "REG-A/5.b", "REG-A/1.b", "REG-A/5.a"],
        ),
        ("-area", ["REG-A/5.a", "REG-A/5.b", "REG-A/1.a", "REG-A/1.b", "REG-B/1.a"]),
    ],
)
def test_subrisk_ordering_breaks_ties_by_reference_order(
    viewer_client, subrisks, ordering, expected
):
    assert references(viewer_client.get(f"{LIST}?ordering={ordering}")) == expected


def test_2017_register_has_one_high_subrisk(viewer_client, register_2017):
    response = viewer_client.get(f"{LIST}?register=SRR-2017&rating=High")

    assert references(response) == ["SRR-2017/8.a"]
