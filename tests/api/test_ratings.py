import datetime as dt

import pytest
from django.db import models
from rest_framework import status

from risks.models import Methodology, Register, RiskArea, SubRisk
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/ratings/"
OLD = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
NEW = dt.datetime(2024, 6, 1, 9, 0, tzinfo=dt.UTC)


def set_updated(queryset, when):
    # A plain UPDATE, so auto_now does not replace the time.
    models.QuerySet.update(queryset, updated_at=when)


@pytest.fixture
def ratings(register):
    """Three sub-risks of REG-A over two areas, one of REG-B, all (and their areas,
    registers and methodologies) updated at OLD."""
    installation = RiskAreaFactory(register=register, number=2, name="Installation")
    metering = RiskAreaFactory(register=register, number=5, group="Data Retrieval")
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)
    rows = {
        "2.a": SubRiskFactory(area=installation, likelihood_value=4, impact_value=1),
        "2.b": SubRiskFactory(area=installation, likelihood_value=2, impact_value=4),
        "5.a": SubRiskFactory(area=metering, likelihood_value=3, impact_value=4),
        "B1.a": SubRiskFactory(area=other, likelihood_value=5, impact_value=5),
    }
    for model in (SubRisk, RiskArea, Register, Methodology):
        set_updated(model.objects.all(), OLD)
    return rows


def references(response):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["reference"] for row in response.json()["results"]]


def test_the_feed_is_compact_and_complete(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?register=REG-A")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": [
            {
                "reference": "REG-A/2.a",
                "area": "REG-A/2",
                "likelihood": {"value": 4, "label": "High"},
                "impact": {"value": 1, "label": "Very Low"},
                "rating": {"name": "Low", "rank": 1, "colour": "#2e7d32"},
                "score": 4,
                "methodology_version": 1,
                "updated_at": "2024-01-01T09:00:00Z",
            },
            {
                "reference": "REG-A/2.b",
                "area": "REG-A/2",
                "likelihood": {"value": 2, "label": "Low"},
                "impact": {"value": 4, "label": "High"},
                "rating": {"name": "Medium", "rank": 2, "colour": "#f2c200"},
                "score": 8,
                "methodology_version": 1,
                "updated_at": "2024-01-01T09:00:00Z",
            },
            {
                "reference": "REG-A/5.a",
                "area": "REG-A/5",
                "likelihood": {"value": 3, "label": "Medium"},
                "impact": {"value": 4, "label": "High"},
                "rating": {"name": "High", "rank": 3, "colour": "#e8710a"},
                "score": 12,
                "methodology_version": 1,
                "updated_at": "2024-01-01T09:00:00Z",
            },
        ],
    }


def test_the_feed_has_a_detail_per_reference(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}REG-B/1.a/")

    assert response.json()["rating"] == {
        "name": "Very High",
        "rank": 4,
        "colour": "#c62828",
    }


def test_updated_since_returns_only_later_changes(viewer_client, ratings):
    set_updated(SubRisk.objects.filter(pk=ratings["5.a"].pk), NEW)

    response = viewer_client.get(f"{LIST}?updated_since=2024-03-01T00:00:00Z")

    assert references(response) == ["REG-A/5.a"]
    assert response.json()["results"][0]["updated_at"] == "2024-06-01T10:00:00+01:00"


def test_updated_since_includes_the_time_itself(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?updated_since=2024-01-01T09:00:00Z")

    assert len(references(response)) == 4


def test_updated_since_without_a_zone_is_london_time(viewer_client, ratings):
    set_updated(SubRisk.objects.filter(pk=ratings["2.a"].pk), NEW)

    # 10:00 London is 09:00 UTC in June: the change at NEW counts.
    response = viewer_client.get(f"{LIST}?updated_since=2024-06-01T10:00:00")

    assert references(response) == ["REG-A/2.a"]


def test_a_methodology_change_counts_as_an_update(viewer_client, ratings):
    models.QuerySet.update(
        Methodology.objects.filter(register__reference="REG-B"), updated_at=NEW
    )

    response = viewer_client.get(f"{LIST}?updated_since=2024-03-01T00:00:00Z")

    assert references(response) == ["REG-B/1.a"]
    assert response.json()["results"][0]["updated_at"] == "2024-06-01T10:00:00+01:00"


@pytest.mark.parametrize(
    ("model", "lookup", "expected"),
    [
        (RiskArea, {"reference": "REG-A/5"}, ["REG-A/5.a"]),
        (Register, {"reference": "REG-B"}, ["REG-B/1.a"]),
    ],
)
def test_a_change_to_the_area_or_register_counts_as_an_update(
    viewer_client, ratings, model, lookup, expected
):
    # Restoring an area or register brings its sub-risks back unsaved.
    set_updated(model.objects.filter(**lookup), NEW)

    response = viewer_client.get(f"{LIST}?updated_since=2024-03-01T00:00:00Z")

    assert references(response) == expected


def test_updated_since_takes_an_offset_beyond_postgresqls(viewer_client, ratings):
    set_updated(SubRisk.objects.filter(pk=ratings["5.a"].pk), NEW)

    # 08:07 UTC on 1 March, in an offset PostgreSQL would refuse.
    response = viewer_client.get(f"{LIST}?updated_since=2024-03-02T01:00:00%2B16:53")

    assert references(response) == ["REG-A/5.a"]


INVALID_TIME = "Enter a valid date/time."
OUT_OF_RANGE = "Enter a time between the years 1 and 9999 in UTC."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", INVALID_TIME),
        ("2024-13-01T00:00:00Z", INVALID_TIME),
        ("2024-01-01T25:00", INVALID_TIME),
        ("1700000000", INVALID_TIME),
        ("0001-01-01T00:00:00%2B14:00", OUT_OF_RANGE),
        ("9999-12-31T23:59:59-14:00", OUT_OF_RANGE),
    ],
)
def test_an_invalid_updated_since_is_refused(viewer_client, ratings, value, message):
    response = viewer_client.get(f"{LIST}?updated_since={value}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [{"field": "updated_since", "message": message, "code": "invalid"}]
    }


def test_the_subrisk_filters_apply(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?rating=high&group=data retrieval")

    assert references(response) == ["REG-A/5.a"]


def test_an_unknown_filter_value_is_refused(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?rating=Purple")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"][0]["field"] == "rating"


def test_ordering_is_stable_with_ties_broken_by_reference(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?ordering=-updated_at")

    assert references(response) == ["REG-A/2.a", "REG-A/2.b", "REG-A/5.a", "REG-B/1.a"]


def test_an_empty_ordering_item_is_skipped(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?ordering=,-updated_at,")

    assert references(response) == ["REG-A/2.a", "REG-A/2.b", "REG-A/5.a", "REG-B/1.a"]


def test_pages_follow_page_size(viewer_client, ratings):
    response = viewer_client.get(f"{LIST}?page_size=3&page=2")

    assert references(response) == ["REG-B/1.a"]
    assert response.json()["count"] == 4


def test_archived_subrisks_and_registers_leave_the_feed(viewer_client, ratings):
    models.QuerySet.update(
        SubRisk.objects.filter(pk=ratings["2.a"].pk), archived_at=NEW
    )
    reg_b = ratings["B1.a"].area.register
    reg_b.archived_at = NEW
    reg_b.save()

    response = viewer_client.get(LIST)

    assert references(response) == ["REG-A/2.b", "REG-A/5.a"]


def test_the_feed_needs_a_role(outsider_client, ratings):
    assert outsider_client.get(LIST).status_code == status.HTTP_403_FORBIDDEN


def test_the_feed_needs_authentication(client, ratings):
    assert client.get(LIST).status_code == status.HTTP_401_UNAUTHORIZED


def test_the_feed_is_read_only(editor_client, ratings):
    response = editor_client.post(LIST, {}, content_type="application/json")

    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_feed_queries_do_not_grow_with_rows(
    viewer_client, register, django_assert_max_num_queries
):
    area = RiskAreaFactory(register=register)
    SubRiskFactory.create_batch(2, area=area)
    # The session, its user, the role's permissions (2), the content version,
    # the count, the page and the three kinds of level it names.
    with django_assert_max_num_queries(10) as few:
        viewer_client.get(f"{LIST}?updated_since=2000-01-01T00:00:00Z")

    SubRiskFactory.create_batch(98, area=area)
    with django_assert_max_num_queries(10) as many:
        response = viewer_client.get(f"{LIST}?updated_since=2000-01-01T00:00:00Z")

    assert response.json()["count"] == 100
    assert len(few) == len(many) == 10


def test_the_feed_is_ordered_by_reference_by_default(viewer_client, ratings, register):
    SubRiskFactory(area=RiskAreaFactory(register=register, number=10))

    response = viewer_client.get(f"{LIST}?register=REG-A")

    # Text order: the index on the reference serves a page without a sort.
    assert references(response) == ["REG-A/10.a", "REG-A/2.a", "REG-A/2.b", "REG-A/5.a"]


def test_the_feed_can_be_ordered_by_area(viewer_client, ratings, register):
    SubRiskFactory(area=RiskAreaFactory(register=register, number=10))

    response = viewer_client.get(f"{LIST}?register=REG-A&ordering=area")

    assert references(response) == ["REG-A/2.a", "REG-A/2.b", "REG-A/5.a", "REG-A/10.a"]
