import datetime as dt

import pytest
from django.db import models
from rest_framework import status

from risks.models import Register, RiskArea, SubRisk
from risks.services import record_restore
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

REMOVED = "/api/v1/ratings/removed/"
FEED = "/api/v1/ratings/"
JAN = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
MAR = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
JUN = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


def archive(model, pk, when):
    # A plain UPDATE, to set the time; the services' own archiving is tested
    # with the API below.
    models.QuerySet.update(model.objects.filter(pk=pk), archived_at=when)


@pytest.fixture
def rows(register):
    installation = RiskAreaFactory(register=register, number=2)
    metering = RiskAreaFactory(register=register, number=5)
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)
    return {
        "2.a": SubRiskFactory(area=installation),
        "2.b": SubRiskFactory(area=installation),
        "5.a": SubRiskFactory(area=metering),
        "B1.a": SubRiskFactory(area=other),
    }


def test_removed_lists_what_left_the_feed_with_when(viewer_client, rows):
    archive(SubRisk, rows["2.a"].pk, MAR)
    archive(RiskArea, rows["5.a"].area_id, JUN)
    archive(Register, rows["B1.a"].area.register_id, JAN)

    response = viewer_client.get(f"{REMOVED}?since=2024-02-01T00:00:00Z")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"reference": "REG-A/2.a", "removed_at": "2024-03-01T09:00:00Z"},
            # In UK time, as every time the API gives.
            {"reference": "REG-A/5.a", "removed_at": "2024-06-01T10:00:00+01:00"},
        ],
    }
    feed = viewer_client.get(FEED).json()["results"]
    assert [row["reference"] for row in feed] == ["REG-A/2.b"]


def test_a_subrisk_left_when_the_first_of_its_archivings_came(viewer_client, rows):
    archive(SubRisk, rows["2.a"].pk, JUN)
    archive(RiskArea, rows["2.a"].area_id, MAR)

    response = viewer_client.get(f"{REMOVED}?since=2024-01-01T00:00:00Z")

    assert response.json()["results"] == [
        {"reference": "REG-A/2.a", "removed_at": "2024-03-01T09:00:00Z"},
        {"reference": "REG-A/2.b", "removed_at": "2024-03-01T09:00:00Z"},
    ]


def test_archiving_and_restoring_through_the_api_keep_a_copy_whole(api, rows):
    before = dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z")
    url = f"/api/v1/areas/{rows['2.a'].area.reference}/"
    api.delete(url, headers={"if-match": api.get(url)["ETag"]})

    removed = api.get(REMOVED, {"since": before}).json()["results"]
    area = RiskArea.objects.get(pk=rows["2.a"].area_id)
    record_restore(instance=area, user=None)
    changed = api.get(FEED, {"updated_since": before}).json()["results"]

    assert [row["reference"] for row in removed] == ["REG-A/2.a", "REG-A/2.b"]
    assert [row["reference"] for row in changed] == ["REG-A/2.a", "REG-A/2.b"]
    assert api.get(REMOVED, {"since": before}).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "message", "code"),
    [
        ("", "This field is required.", "required"),
        ("?since=yesterday", "Enter a valid date/time.", "invalid"),
        ("?since=2024-01-01&updated_since=2024-01-01", None, "unknown_field"),
    ],
)
def test_removed_needs_a_valid_since(viewer_client, rows, query, message, code):
    response = viewer_client.get(f"{REMOVED}{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (
        "updated_since" if code == "unknown_field" else "since",
        code,
    )
    if message:
        assert error["message"] == message


def test_removed_takes_an_offset_beyond_postgresqls(viewer_client, rows):
    archive(SubRisk, rows["2.a"].pk, MAR)

    response = viewer_client.get(f"{REMOVED}?since=2024-03-01T18:00:00%2B16:53")

    assert [row["reference"] for row in response.json()["results"]] == ["REG-A/2.a"]


def test_removed_answers_its_etag_with_304(viewer_client, rows):
    url = f"{REMOVED}?since=2024-01-01T00:00:00Z"
    etag = viewer_client.get(url)["ETag"]

    response = viewer_client.get(url, headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_304_NOT_MODIFIED


def test_removed_needs_a_role(outsider_client, rows):
    response = outsider_client.get(f"{REMOVED}?since=2024-01-01T00:00:00Z")

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_removed_needs_authentication(client, rows):
    response = client.get(f"{REMOVED}?since=2024-01-01T00:00:00Z")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_removed_queries_do_not_grow_with_rows(
    viewer_client, register, django_assert_max_num_queries
):
    area = RiskAreaFactory(register=register)
    SubRiskFactory.create_batch(2, area=area)
    archive(RiskArea, area.pk, JUN)
    url = f"{REMOVED}?since=2000-01-01T00:00:00Z"
    # The session, its user, the role's permissions (2), the content version,
    # the count and the page.
    with django_assert_max_num_queries(7) as few:
        viewer_client.get(url)

    SubRiskFactory.create_batch(98, area=area)
    with django_assert_max_num_queries(7) as many:
        response = viewer_client.get(url.replace("2000", "2001"))

    assert response.json()["count"] == 100
    assert len(few) == len(many) == 7
