import pytest
from django.utils import timezone
from rest_framework import status

from mitigations.models import Mitigation
from risks.models import RiskArea, RiskFactor, SubRisk
from tests.api.conftest import CREATED_JSON, UPDATED_JSON
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/areas/"


def references(response):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def communications(register, fix_timestamps):
    """Area 6 of REG-A with two live sub-risks and one archived of each kind."""
    legacy = RiskAreaFactory(register=register, number=4, name="Legacy")
    archived_area = RiskAreaFactory(
        register=register, number=9, archived_at=timezone.now()
    )
    area = RiskAreaFactory(
        register=register,
        number=6,
        name="Communications",
        group="Data Retrieval",
        statement="The risk that communications fail.",
        rating_commentary="Network failures are rare.",
        settlement_impact="Estimated reads.",
        market_impact="Late bills.",
    )
    area.see_also.set([legacy, archived_area])
    regional = SubRiskFactory(
        area=area,
        statement="Regional network failures.",
        rating_label="Likelihood of regional network failures",
        likelihood_value=1,
        impact_value=4,
    )
    SubRiskFactory(
        area=area,
        statement="Comms issues at individual sites.",
        likelihood_value=5,
        impact_value=2,
    )
    SubRiskFactory(
        area=area,
        statement="An archived risk.",
        likelihood_value=5,
        impact_value=5,
        archived_at=timezone.now(),
    )
    RiskFactorFactory(
        area=area,
        style=RiskFactor.Style.BULLET,
        lead_in="Risk factors include:",
        text="Poor coverage.",
    )
    RiskFactorFactory(area=area, text="An archived factor.", archived_at=timezone.now())
    current = MitigationFactory(
        area=area, text="DCC service levels.", owner="DCC", references=["SLC 43"]
    )
    current.subrisks.set([regional])
    MitigationFactory(
        area=area,
        kind=Mitigation.Kind.PROPOSED,
        none_proposed=True,
        text="None: the DCC's own controls suffice.",
    )
    MitigationFactory(area=area, text="An archived one.", archived_at=timezone.now())
    fix_timestamps(
        RiskArea.objects.all(),
        SubRisk.objects.all(),
        RiskFactor.objects.all(),
        Mitigation.objects.all(),
    )
    return area


def test_area_detail_has_the_full_shape(viewer_client, communications):
    response = viewer_client.get("/api/v1/areas/REG-A/6/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/areas/REG-A/6/",
        "reference": "REG-A/6",
        "register": "REG-A",
        "number": 6,
        "name": "Communications",
        "group": "Data Retrieval",
        "statement": "The risk that communications fail.",
        "rating_commentary": "Network failures are rare.",
        "settlement_impact": "Estimated reads.",
        "market_impact": "Late bills.",
        "see_also": ["REG-A/4"],
        "overall_rating": {"name": "Medium", "rank": 2, "colour": "#f2c200"},
        "subrisks": [
            {
                "url": "http://testserver/api/v1/subrisks/REG-A/6.a/",
                "reference": "REG-A/6.a",
                "register": "REG-A",
                "area": "REG-A/6",
                "statement": "Regional network failures.",
                "rating_label": "Likelihood of regional network failures",
                "likelihood": {"value": 1, "label": "Very Low"},
                "impact": {"value": 4, "label": "High"},
                "rating": {"name": "Low", "rank": 1, "colour": "#2e7d32"},
                "methodology_version": 1,
                "reviewed_on": None,
                "order": 0,
                "created_at": CREATED_JSON,
                "updated_at": UPDATED_JSON,
                "revision": 1,
            },
            {
                "url": "http://testserver/api/v1/subrisks/REG-A/6.b/",
                "reference": "REG-A/6.b",
                "register": "REG-A",
                "area": "REG-A/6",
                "statement": "Comms issues at individual sites.",
                "rating_label": "",
                "likelihood": {"value": 5, "label": "Very High"},
                "impact": {"value": 2, "label": "Low"},
                "rating": {"name": "Medium", "rank": 2, "colour": "#f2c200"},
                "methodology_version": 1,
                "reviewed_on": None,
                "order": 0,
                "created_at": CREATED_JSON,
                "updated_at": UPDATED_JSON,
                "revision": 1,
            },
        ],
        "risk_factors": [
            {
                "reference": "REG-A/6/F1",
                "style": "bullet",
                "lead_in": "Risk factors include:",
                "text": "Poor coverage.",
            }
        ],
        "mitigations": [
            {
                "url": "http://testserver/api/v1/mitigations/REG-A/6/M1/",
                "reference": "REG-A/6/M1",
                "register": "REG-A",
                "area": "REG-A/6",
                "kind": "current",
                "none_proposed": False,
                "text": "DCC service levels.",
                "owner": "DCC",
                "status": "",
                "due_date": None,
                "references": ["SLC 43"],
                "subrisks": ["REG-A/6.a"],
                "applies_to_area": False,
                "order": 0,
                "created_at": CREATED_JSON,
                "updated_at": UPDATED_JSON,
                "revision": 1,
            },
            {
                "url": "http://testserver/api/v1/mitigations/REG-A/6/M2/",
                "reference": "REG-A/6/M2",
                "register": "REG-A",
                "area": "REG-A/6",
                "kind": "proposed",
                "none_proposed": True,
                "text": "None: the DCC's own controls suffice.",
                "owner": "",
                "status": "",
                "due_date": None,
                "references": [],
                "subrisks": [],
                "applies_to_area": True,
                "order": 0,
                "created_at": CREATED_JSON,
                "updated_at": UPDATED_JSON,
                "revision": 1,
            },
        ],
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


def test_area_list_rows_have_the_detail_shape(viewer_client, communications):
    detail = viewer_client.get("/api/v1/areas/REG-A/6/").json()

    response = viewer_client.get(f"{LIST}?register=REG-A&group=Data Retrieval")

    assert response.json()["results"] == [detail]


def test_area_without_live_subrisks_has_no_overall_rating(viewer_client, register):
    RiskAreaFactory(register=register, number=1)

    response = viewer_client.get("/api/v1/areas/REG-A/1/")

    assert (response.json()["overall_rating"], response.json()["subrisks"]) == (
        None,
        [],
    )


def test_archived_area_is_left_out_of_list_and_detail(viewer_client, communications):
    assert references(viewer_client.get(LIST)) == ["REG-A/4", "REG-A/6"]
    assert (
        viewer_client.get("/api/v1/areas/REG-A/9/").status_code
        == status.HTTP_404_NOT_FOUND
    )


def test_unknown_area_reference_is_not_found(viewer_client, communications):
    response = viewer_client.get("/api/v1/areas/REG-A/7/")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == {
        "errors": [{"field": None, "message": "Not found.", "code": "not_found"}]
    }


@pytest.fixture
def rated_areas(register):
    """Areas 1 (Medium), 2 (High), 3 (no sub-risks) and another register's 1 (Low)."""
    first = RiskAreaFactory(register=register, number=1, name="Readiness")
    SubRiskFactory(area=first, likelihood_value=3, impact_value=3)
    SubRiskFactory(area=first, likelihood_value=1, impact_value=1)
    second = RiskAreaFactory(
        register=register,
        number=2,
        name="Installation",
        group="Data Retrieval",
        statement="Aborted installation visits.",
    )
    SubRiskFactory(area=second, likelihood_value=4, impact_value=4)
    RiskAreaFactory(register=register, number=3, name="Legacy")
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)
    SubRiskFactory(area=other, likelihood_value=1, impact_value=1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["REG-A/1", "REG-A/2", "REG-A/3", "REG-B/1"]),
        ("register=REG-B", ["REG-B/1"]),
        ("group=DATA RETRIEVAL", ["REG-A/2"]),
        ("min_rating_rank=2", ["REG-A/1", "REG-A/2"]),
        ("q=aborted", ["REG-A/2"]),
        ("ordering=-rating", ["REG-A/2", "REG-A/1", "REG-B/1", "REG-A/3"]),
        ("ordering=rating", ["REG-A/3", "REG-B/1", "REG-A/1", "REG-A/2"]),
        ("ordering=name", ["REG-B/1", "REG-A/2", "REG-A/3", "REG-A/1"]),
        ("ordering=-number", ["REG-A/3", "REG-A/2", "REG-A/1", "REG-B/1"]),
    ],
)
def test_area_filters_and_ordering(viewer_client, rated_areas, query, expected):
    assert references(viewer_client.get(f"{LIST}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("register=NOPE", "register"),
        ("group=Nowhere", "group"),
        ("min_rating_rank=abc", "min_rating_rank"),
        ("ordering=colour", "ordering"),
    ],
)
def test_area_filters_refuse_unknown_values(
    viewer_client, rated_areas, query, parameter
):
    response = viewer_client.get(f"{LIST}?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [error["field"] for error in response.json()["errors"]] == [parameter]
