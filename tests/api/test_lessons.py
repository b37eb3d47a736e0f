import pytest
from django.utils import timezone
from rest_framework import status

from risks.models import GlossaryTerm, Lesson
from tests.api.conftest import CREATED_JSON, UPDATED_JSON
from tests.factories import (
    GlossaryTermFactory,
    LessonFactory,
    LessonSourceFactory,
    RegisterFactory,
    RiskAreaFactory,
)

pytestmark = pytest.mark.django_db


def references(response):
    assert response.status_code == status.HTTP_200_OK, response.content
    return [row["reference"] for row in response.json()["results"]]


@pytest.fixture
def lessons(register):
    """Two sources of REG-A with three live lessons, and one lesson of REG-B."""
    readiness = RiskAreaFactory(register=register, number=1)
    legacy = RiskAreaFactory(register=register, number=4)
    archived_area = RiskAreaFactory(
        register=register, number=9, archived_at=timezone.now()
    )
    advanced = LessonSourceFactory(
        register=register, key="AM", name="Advanced Meters", order=1
    )
    p272 = LessonSourceFactory(register=register, key="P272", name="P272", order=2)
    first = LessonFactory(
        source=advanced,
        number=1,
        problem="Meters were not commissioned.",
        lesson="Check commissioning early.",
    )
    first.related_areas.set([legacy, readiness, archived_area])
    LessonFactory(source=advanced, number=2, lesson="Plan for readiness.")
    LessonFactory(source=p272, number=1).related_areas.set([legacy])
    LessonFactory(source=p272, number=2, archived_at=timezone.now())
    LessonFactory(
        source=LessonSourceFactory(
            register=RegisterFactory(reference="REG-B"), key="F", name="Foundation"
        ),
        number=1,
    )


def test_lesson_detail_has_the_full_shape(viewer_client, lessons, fix_timestamps):
    fix_timestamps(Lesson.objects.all())

    response = viewer_client.get("/api/v1/lessons/REG-A/L/AM-1/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/lessons/REG-A/L/AM-1/",
        "reference": "REG-A/L/AM-1",
        "register": "REG-A",
        "source": {"key": "AM", "name": "Advanced Meters"},
        "number": 1,
        "problem": "Meters were not commissioned.",
        "lesson": "Check commissioning early.",
        "related_areas": ["REG-A/1", "REG-A/4"],
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["REG-A/L/AM-1", "REG-A/L/AM-2", "REG-A/L/P272-1", "REG-B/L/F-1"]),
        ("register=REG-A", ["REG-A/L/AM-1", "REG-A/L/AM-2", "REG-A/L/P272-1"]),
        ("source=P272", ["REG-A/L/P272-1"]),
        ("area=REG-A/4", ["REG-A/L/AM-1", "REG-A/L/P272-1"]),
        ("q=readiness", ["REG-A/L/AM-2"]),
        (
            "ordering=-number&register=REG-A",
            ["REG-A/L/AM-2", "REG-A/L/AM-1", "REG-A/L/P272-1"],
        ),
    ],
)
def test_lesson_filters_and_ordering(viewer_client, lessons, query, expected):
    assert references(viewer_client.get(f"/api/v1/lessons/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("register=NOPE", "register"),
        ("source=XX", "source"),
        ("area=REG-A/9", "area"),
        ("ordering=problem", "ordering"),
    ],
)
def test_lesson_filters_refuse_unknown_values(viewer_client, lessons, query, parameter):
    response = viewer_client.get(f"/api/v1/lessons/?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [error["field"] for error in response.json()["errors"]] == [parameter]


def test_archived_lesson_is_not_found(viewer_client, lessons):
    response = viewer_client.get("/api/v1/lessons/REG-A/L/P272-2/")

    assert response.status_code == status.HTTP_404_NOT_FOUND


def test_glossary_term_detail_has_the_full_shape(
    viewer_client, register, fix_timestamps
):
    GlossaryTermFactory(
        register=register, abbreviation="DCC", meaning="Data Communications Company"
    )
    fix_timestamps(GlossaryTerm.objects.all())

    response = viewer_client.get("/api/v1/glossary/REG-A/G/DCC/")

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "url": "http://testserver/api/v1/glossary/REG-A/G/DCC/",
        "reference": "REG-A/G/DCC",
        "register": "REG-A",
        "abbreviation": "DCC",
        "meaning": "Data Communications Company",
        "created_at": CREATED_JSON,
        "updated_at": UPDATED_JSON,
        "revision": 1,
    }


@pytest.fixture
def glossary(register):
    for abbreviation, meaning in [
        ("WAN", "Wide Area Network"),
        ("CoS", "Change of Supplier"),
        ("DCC", "Data Communications Company"),
    ]:
        GlossaryTermFactory(
            register=register, abbreviation=abbreviation, meaning=meaning
        )
    GlossaryTermFactory(register=RegisterFactory(reference="REG-B"), abbreviation="AA")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            ["REG-A/G/CoS", "REG-A/G/DCC", "REG-A/G/WAN", "REG-B/G/AA"],
        ),
        ("register=REG-B", ["REG-B/G/AA"]),
        ("q=network", ["REG-A/G/WAN"]),
        ("q=cos", ["REG-A/G/CoS"]),
        (
            "ordering=-abbreviation&register=REG-A",
            ["REG-A/G/WAN", "REG-A/G/DCC", "REG-A/G/CoS"],
        ),
    ],
)
def test_glossary_filters_and_ordering(viewer_client, glossary, query, expected):
    assert references(viewer_client.get(f"/api/v1/glossary/?{query}")) == expected


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("register=NOPE", "register"), ("ordering=meaning", "ordering")],
)
def test_glossary_filters_refuse_unknown_values(
    viewer_client, glossary, query, parameter
):
    response = viewer_client.get(f"/api/v1/glossary/?{query}")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert [error["field"] for error in response.json()["errors"]] == [parameter]


def test_unknown_glossary_term_is_not_found(viewer_client, glossary):
    response = viewer_client.get("/api/v1/glossary/REG-A/G/XYZ/")

    assert response.status_code == status.HTTP_404_NOT_FOUND
