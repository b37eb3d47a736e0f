import datetime as dt

import pytest
from django.utils import timezone
from rest_framework import status

from mitigations.models import Mitigation
from tests.api.conftest import CREATED_JSON, UPDATED_JSON
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db

LIST = "/api/v1/mitigations/"


def references(response):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def mitigations(register):
    """REG-A areas 1 and 5 (Data Retrieval), and REG-B area 1."""
    first = RiskAreaFactory(register=register, number=1)
    retrieval = RiskAreaFactory(register=register, number=5, group="Data Retrieval")
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)
    MitigationFactory(area=first, text="Supplier licence conditions.", owner="Ofgem")
    MitigationFactory(
        area=first,
        kind=Mitigation.Kind.PROPOSED,
        status=Mitigation.Status.AGREED,
        text="Readiness reporting.",
        due_date=dt.date(2018, 3, 31),
    )
    MitigationFactory(area=retrieval, text="Meter testing.")
    MitigationFactory(area=retrieval, text="Archived.", archived_at=timezone.now())
    MitigationFactory(
        area=other,
        kind=Mitigation.Kind.PROPOSED,
        status=Mitigation.Status.PROPOSED,
        text="Audit.",
        due_date=dt.date(2017, 12, 1),
    )


def test_mitigation_detail_has_the_full_shape(viewer_client, register, fix_timestamps):
    area = RiskAreaFactory(register=register, number=3)
    first = SubRiskFactory(area=area)
    second = SubRiskFactory(area=area)
    archived = SubRiskFactory(area=area, archived_at=timezone.now())
    mitigation = MitigationFactory(
        area=area,
        kind=Mitigation.Kind.PROPOSED,
        status=Mitigation.Status.IN_PROGRESS,
        text="Interoperability testing.",
        owner="DCC",
        due_date=dt.date(2018, 3, 31),
        references=["SLC 44", "P272"],
        order=2,
    )
    mitigation.subrisks.set([second, first, archived])
    fix_timestamps(Mitigation.objects.all())

    response = viewer_client.get("/api/v1/mitigations/REG-A/3/M1/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/mitigations/REG-A/3/M1/",
        "reference": "REG-A/3/M1",
        "register": "REG-A",
        "area": "REG-A/3",
        "kind": "proposed",
        "none_proposed": False,
        "text": "Interoperability testing.",
        "owner": "DCC",
        "status": "in_progress",
        "due_date": "2018-03-31",
        "references": ["SLC 44", "P272"],
        "subrisks": ["REG-A/3.a", "REG-A/3.b"],
        "applies_to_area": False,
        "order": 2,
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["REG-A/1/M1", "REG-A/1/M2", "REG-A/5/M1", "REG-B/1/M1"]),
        ("register=REG-A", ["REG-A/1/M1", "REG-A/1/M2", "REG-A/5/M1"]),
        ("area=REG-A/5", ["REG-A/5/M1"]),
        ("group=data retrieval", ["REG-A/5/M1"]),
        ("kind=proposed", ["REG-A/1/M2", "REG-B/1/M1"]),
        ("status=agreed", ["REG-A/1/M2"]),
        ("q=ofgem", ["REG-A/1/M1"]),
        ("ordering=due_date", ["REG-A/1/M1", "REG-A/5/M1", "REG-B/1/M1", "REG-A/1/M2"]),
        ("ordering=-area", ["REG-A/5/M1", "REG-A/1/M1", "REG-A/1/M2", "REG-B/1/M1"]),
    ],
)
def test_mitigation_filters_and_ordering(viewer_client, mitigations, query, expected):
    assert references(viewer_client.get(f"{LIST}?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("register=NOPE", "register"),
        ("area=REG-A/2", "area"),
        ("group=Nowhere", "group"),
        ("kind=eventual", "kind"),
        ("status=done", "status"),
        ("ordering=text", "ordering"),
    ],
)
def test_mitigation_filters_refuse_unknown_values(
    viewer_client, mitigations, query, parameter
):
    response = viewer_client.get(f"{LIST}?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [error["field"] for error in response.json()["errors"]] == [parameter]


def test_archived_mitigation_is_not_found(viewer_client, mitigations):
    response = viewer_client.get("/api/v1/mitigations/REG-A/5/M2/")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == {
        "errors": [{"field": None, "message": "Not found.", "code": "not_found"}]
    }


def test_a_mitigation_of_archived_subrisks_still_does_not_apply_to_the_area(
    viewer_client, register
):
    area = RiskAreaFactory(register=register, number=3)
    archived = SubRiskFactory(area=area)
    whole = MitigationFactory(area=area, text="For the area.")
    chosen = MitigationFactory(area=area, text="For one sub-risk.")
    chosen.subrisks.set([archived])
    archived.archived_at = timezone.now()
    archived.save()

    rows = viewer_client.get(LIST).json()["results"]

    assert [
        (row["reference"], row["subrisks"], row["applies_to_area"]) for row in rows
    ] == [
        (whole.reference, [], True),
        (chosen.reference, [], False),
    ]
