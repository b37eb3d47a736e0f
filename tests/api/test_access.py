import pytest
from django.test import Client
from rest_framework import status

from risks.models import GlossaryTerm
from tests.factories import GlossaryTermFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/",
    "/api/v1/registers/",
    "/api/v1/methodologies/",
    "/api/v1/areas/",
    "/api/v1/subrisks/",
    "/api/v1/factors/",
    "/api/v1/mitigations/",
    "/api/v1/ratings/",
    "/api/v1/lessons/",
    "/api/v1/glossary/",
]


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_requests_are_refused(client, url):
    response = client.get(url)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Authentication credentials were not provided.",
                "code": "not_authenticated",
            }
        ]
    }


def test_anonymous_detail_request_is_refused(client):
    subrisk = SubRiskFactory()

    response = client.get(f"/api/v1/subrisks/{subrisk.reference}/")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED


@pytest.mark.parametrize("url", LISTS)
def test_a_token_reads_every_endpoint(token_client, url):
    assert token_client.get(url).status_code == status.HTTP_200_OK


@pytest.mark.parametrize("url", LISTS[1:])
@pytest.mark.parametrize("ordering", [",", ",,"])
def test_empty_ordering_items_are_skipped(token_client, url, ordering):
    response = token_client.get(f"{url}?ordering={ordering}")

    assert response.status_code == status.HTTP_200_OK


def test_an_unknown_token_is_refused(db):
    client = Client(headers={"authorization": "Token not-a-real-token"})

    response = client.get("/api/v1/subrisks/")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Invalid token.",
                "code": "authentication_failed",
            }
        ]
    }


def test_a_logged_in_user_reads_by_session(viewer_client):
    assert viewer_client.get("/api/v1/subrisks/").status_code == status.HTTP_200_OK


def test_api_root_lists_every_endpoint(viewer_client):
    response = viewer_client.get("/api/v1/")

    assert response.json() == {
        "registers": "http://testserver/api/v1/registers/",
        "methodologies": "http://testserver/api/v1/methodologies/",
        "areas": "http://testserver/api/v1/areas/",
        "subrisks": "http://testserver/api/v1/subrisks/",
        "factors": "http://testserver/api/v1/factors/",
        "mitigations": "http://testserver/api/v1/mitigations/",
        "ratings": "http://testserver/api/v1/ratings/",
        "lessons": "http://testserver/api/v1/lessons/",
        "glossary": "http://testserver/api/v1/glossary/",
    }


@pytest.fixture
def five_terms(register):
    for abbreviation in ["AA", "BB", "CC", "DD", "EE"]:
        GlossaryTermFactory(register=register, abbreviation=abbreviation)


def test_pages_follow_page_size(viewer_client, five_terms):
    response = viewer_client.get("/api/v1/glossary/?page_size=2&page=2")

    body = response.json()
    assert (
        body["count"],
        body["previous"],
        body["next"],
        [row["abbreviation"] for row in body["results"]],
    ) == (
        5,
        "http://testserver/api/v1/glossary/?page_size=2",
        "http://testserver/api/v1/glossary/?page=3&page_size=2",
        ["CC", "DD"],
    )


def test_a_page_past_the_end_is_not_found(viewer_client, five_terms):
    response = viewer_client.get("/api/v1/glossary/?page_size=2&page=4")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == {
        "errors": [
            {
                "field": "page",
                "message": "Page 4 is past the last page; there are 3 pages.",
                "code": "not_found",
            }
        ]
    }


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("page=abc", "page", "Must be a whole number from 1."),
        ("page=0", "page", "Must be a whole number from 1."),
        ("page=-1", "page", "Must be a whole number from 1."),
        ("page_size=abc", "page_size", "Must be a whole number from 1 to 500."),
        ("page_size=0", "page_size", "Must be a whole number from 1 to 500."),
        ("page_size=-1", "page_size", "Must be a whole number from 1 to 500."),
        ("page_size=501", "page_size", "Must be a whole number from 1 to 500."),
    ],
)
def test_a_bad_page_or_page_size_is_refused(
    viewer_client, five_terms, query, field, message
):
    response = viewer_client.get(f"/api/v1/glossary/?{query}")

    assert (response.status_code, response.json()) == (
        status.HTTP_400_BAD_REQUEST,
        {"errors": [{"field": field, "message": message, "code": "invalid"}]},
    )


def test_an_unknown_query_parameter_is_refused(viewer_client, register):
    registers = viewer_client.get("/api/v1/registers/?rating=purple&format=json")
    areas = viewer_client.get("/api/v1/areas/?updated_since=2020-01-01")

    assert (registers.status_code, registers.json()) == (
        status.HTTP_400_BAD_REQUEST,
        {
            "errors": [
                {
                    "field": "rating",
                    "message": "Unknown query parameter; this list takes: format, "
                    "ordering, page, page_size, q, status",
                    "code": "unknown_field",
                }
            ]
        },
    )
    assert [(e["field"], e["code"]) for e in areas.json()["errors"]] == [
        ("updated_since", "unknown_field")
    ]


def test_a_repeated_query_parameter_is_refused(viewer_client, register):
    response = viewer_client.get(
        "/api/v1/ratings/?rating=abc&rating=high&page=1&page=2"
    )

    assert (response.status_code, response.json()) == (
        status.HTTP_400_BAD_REQUEST,
        {
            "errors": [
                {
                    "field": "page",
                    "message": "Give this parameter once.",
                    "code": "repeated",
                },
                {
                    "field": "rating",
                    "message": "Give this parameter once.",
                    "code": "repeated",
                },
            ]
        },
    )


def test_a_record_read_does_not_check_query_parameters(viewer_client, register):
    response = viewer_client.get(f"/api/v1/registers/{register.reference}/?x=1")

    assert response.status_code == status.HTTP_200_OK


def test_page_size_is_capped_at_500(viewer_client, register):
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(
            register=register,
            abbreviation=f"T{number:03}",
            reference=f"{register.reference}/G/T{number:03}",
            meaning="A term",
        )
        for number in range(501)
    )

    response = viewer_client.get("/api/v1/glossary/?page_size=500")

    assert (response.json()["count"], len(response.json()["results"])) == (501, 500)


def test_default_page_holds_50_rows(viewer_client, register):
    GlossaryTerm.objects.bulk_create(
        GlossaryTerm(
            register=register,
            abbreviation=f"T{number:02}",
            reference=f"{register.reference}/G/T{number:02}",
            meaning="A term",
        )
        for number in range(51)
    )

    response = viewer_client.get("/api/v1/glossary/")

    assert len(response.json()["results"]) == 50


def test_user_without_a_role_cannot_read(outsider_client, register):
    response = outsider_client.get("/api/v1/registers/")

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_viewer_cannot_write(viewer_client, register):
    response = viewer_client.post(
        "/api/v1/registers/", {"reference": "NEW"}, content_type="application/json"
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
