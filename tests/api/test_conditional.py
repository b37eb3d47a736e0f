import datetime as dt

import pytest
from django.utils.http import http_date
from rest_framework import status

from riskregister.api import conditional
from risks.api.ratings import RatingFeedSerializer
from risks.api.serializers import SubRiskSerializer
from tests.factories import RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db

LISTS = [
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


@pytest.fixture
def subrisk(register):
    area = RiskAreaFactory(register=register, number=2)
    return SubRiskFactory(area=area, likelihood_value=4, impact_value=1)


@pytest.mark.parametrize("url", LISTS)
def test_every_list_answers_its_etag_with_304(viewer_client, subrisk, url):
    first = viewer_client.get(url)

    again = viewer_client.get(url, headers={"if-none-match": first["ETag"]})

    assert first.status_code == status.HTTP_200_OK
    assert first["ETag"].startswith('"') and "Last-Modified" in first
    assert first["Cache-Control"] == "private, no-cache"
    assert again.status_code == status.HTTP_304_NOT_MODIFIED
    assert again.content == b""
    assert (again["ETag"], again["Last-Modified"]) == (
        first["ETag"],
        first["Last-Modified"],
    )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/subrisks/REG-A/2.a/",
        "/api/v1/ratings/REG-A/2.a/",
        "/api/v1/areas/REG-A/2/",
        "/api/v1/registers/REG-A/",
    ],
)
def test_details_answer_their_etag_with_304(viewer_client, subrisk, url):
    first = viewer_client.get(url)

    again = viewer_client.get(url, headers={"if-none-match": first["ETag"]})

    assert again.status_code == status.HTTP_304_NOT_MODIFIED
    assert again["ETag"] == first["ETag"]


def test_a_304_list_builds_no_body(
    viewer_client, subrisk, monkeypatch, django_assert_num_queries
):
    url = "/api/v1/subrisks/?page_size=100"
    etag = viewer_client.get(url)["ETag"]

    def refuse(*args, **kwargs):
        raise AssertionError("the body was built")

    monkeypatch.setattr(SubRiskSerializer, "to_representation", refuse)
    # The session, its user, the role's permissions (2) and the content version.
    with django_assert_num_queries(5):
        response = viewer_client.get(url, headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_304_NOT_MODIFIED


def test_a_second_full_get_sends_the_body_built_for_the_first(
    viewer_client, token_client, subrisk, monkeypatch
):
    url = "/api/v1/subrisks/?page_size=100"
    first = viewer_client.get(url)
    monkeypatch.setattr(SubRiskSerializer, "to_representation", None)

    # Another reader, through a token: the body does not depend on who asks.
    again = token_client.get(url)

    assert again.status_code == status.HTTP_200_OK
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again.json()["results"][0]["reference"] == "REG-A/2.a"


def test_a_large_body_is_built_every_time(viewer_client, subrisk, monkeypatch):
    url = "/api/v1/subrisks/"
    monkeypatch.setattr(conditional, "LARGEST_CACHED_BODY", 10)
    viewer_client.get(url)
    built = []
    to_representation = SubRiskSerializer.to_representation

    def count(self, instance):
        built.append(instance.reference)
        return to_representation(self, instance)

    monkeypatch.setattr(SubRiskSerializer, "to_representation", count)

    response = viewer_client.get(url)

    assert response.status_code == status.HTTP_200_OK
    assert built == ["REG-A/2.a"]


def test_a_304_detail_builds_no_body(viewer_client, subrisk, monkeypatch):
    url = "/api/v1/ratings/REG-A/2.a/"
    etag = viewer_client.get(url)["ETag"]
    monkeypatch.setattr(RatingFeedSerializer, "to_representation", None)

    response = viewer_client.get(url, headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_304_NOT_MODIFIED


def test_weak_and_listed_etags_match(viewer_client, subrisk):
    etag = viewer_client.get("/api/v1/ratings/")["ETag"]

    response = viewer_client.get(
        "/api/v1/ratings/", headers={"if-none-match": f'"other", W/{etag}'}
    )

    assert response.status_code == status.HTTP_304_NOT_MODIFIED


def test_a_write_changes_the_list_etag(api, subrisk):
    url = "/api/v1/ratings/"
    before = api.get(url)["ETag"]
    detail = f"/api/v1/subrisks/{subrisk.reference}/"
    api.patch(
        detail,
        {"impact": 5},
        content_type="application/json",
        headers={"if-match": api.get(detail)["ETag"]},
    )

    response = api.get(url, headers={"if-none-match": before})

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["results"][0]["rating"]["name"] == "Very High"
    assert response["ETag"] != before


def test_a_write_elsewhere_still_lets_a_record_be_written_with_its_etag(api, subrisk):
    other = SubRiskFactory(area=subrisk.area)
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    before = api.get(url)["ETag"]
    other_url = f"/api/v1/subrisks/{other.reference}/"
    api.patch(
        other_url,
        {"statement": "Changed."},
        content_type="application/json",
        headers={"if-match": api.get(other_url)["ETag"]},
    )

    response = api.patch(
        url,
        {"statement": "Mine."},
        content_type="application/json",
        headers={"if-match": before},
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["statement"] == "Mine."


def test_a_change_to_an_areas_subrisk_leaves_its_etag_good_for_writing(api, subrisk):
    url = f"/api/v1/areas/{subrisk.area.reference}/"
    before = api.get(url)["ETag"]
    detail = f"/api/v1/subrisks/{subrisk.reference}/"
    api.patch(
        detail,
        {"statement": "Changed."},
        content_type="application/json",
        headers={"if-match": api.get(detail)["ETag"]},
    )

    read = api.get(url, headers={"if-none-match": before})
    response = api.patch(
        url,
        {"name": "Installation works"},
        content_type="application/json",
        headers={"if-match": before},
    )

    assert read.status_code == status.HTTP_200_OK
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["name"] == "Installation works"


def test_delete_without_if_match_says_what_to_send(api, subrisk):
    response = api.delete(
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"revision": 1},
        content_type="application/json",
    )

    assert response.status_code == status.HTTP_428_PRECONDITION_REQUIRED
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "Send If-Match with the record's ETag to archive it.",
            "code": "precondition_required",
        }
    ]


def test_a_weak_etag_is_not_enough_to_write(api, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    etag = api.get(url)["ETag"]

    response = api.patch(
        url,
        {"statement": "Mine."},
        content_type="application/json",
        headers={"if-match": f"W/{etag}"},
    )

    assert response.status_code == status.HTTP_412_PRECONDITION_FAILED


@pytest.mark.parametrize(
    "url", ["/api/v1/areas/REG-A/2/", "/api/v1/methodologies/REG-A/"]
)
def test_renaming_a_rating_changes_the_etag_of_what_shows_it(
    viewer_client, subrisk, url
):
    etag = viewer_client.get(url)["ETag"]
    rating = subrisk.rating
    rating.name = "Moderate"
    rating.save()

    response = viewer_client.get(url, headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_200_OK
    assert "Moderate" in response.content.decode()
    assert response["ETag"] != etag


def test_a_matrix_change_changes_the_records_etag(viewer_client, subrisk):
    url = f"/api/v1/ratings/{subrisk.reference}/"
    before = viewer_client.get(url)["ETag"]
    methodology = subrisk.area.register.methodology
    cell = methodology.cells.get(likelihood=subrisk.likelihood, impact=subrisk.impact)
    cell.rating = methodology.rating_levels.get(name="High")
    cell.save()

    response = viewer_client.get(url, headers={"if-none-match": before})

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["rating"]["name"] == "High"


def test_an_area_etag_follows_its_subrisks(api, subrisk):
    url = f"/api/v1/areas/{subrisk.area.reference}/"
    before = api.get(url)["ETag"]
    detail = f"/api/v1/subrisks/{subrisk.reference}/"
    api.delete(detail, headers={"if-match": api.get(detail)["ETag"]})

    response = api.get(url, headers={"if-none-match": before})

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["subrisks"] == []


def test_if_modified_since_answers_304_until_a_change(viewer_client, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    last_modified = viewer_client.get(url)["Last-Modified"]
    earlier = http_date((subrisk.updated_at - dt.timedelta(minutes=1)).timestamp())

    same = viewer_client.get(url, headers={"if-modified-since": last_modified})
    older = viewer_client.get(url, headers={"if-modified-since": earlier})

    assert (same.status_code, older.status_code) == (304, 200)


def test_if_none_match_wins_over_if_modified_since(viewer_client, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    last_modified = viewer_client.get(url)["Last-Modified"]

    response = viewer_client.get(
        url, headers={"if-none-match": '"other"', "if-modified-since": last_modified}
    )

    assert response.status_code == status.HTTP_200_OK


def test_a_different_page_has_a_different_etag(viewer_client, subrisk):
    first = viewer_client.get("/api/v1/subrisks/?page_size=1")["ETag"]

    response = viewer_client.get(
        "/api/v1/subrisks/?page_size=2", headers={"if-none-match": first}
    )

    assert response.status_code == status.HTTP_200_OK


def test_the_browsable_api_gets_no_validators(viewer_client, subrisk):
    response = viewer_client.get("/api/v1/subrisks/", headers={"accept": "text/html"})

    assert response.status_code == status.HTTP_200_OK
    assert "ETag" not in response


def test_an_unknown_record_is_still_not_found(viewer_client, subrisk):
    response = viewer_client.get(
        "/api/v1/subrisks/REG-A/9.z/", headers={"if-none-match": "*"}
    )

    assert response.status_code == status.HTTP_404_NOT_FOUND


@pytest.mark.parametrize("url", ["/api/v1/subrisks/REG-A/%00/", "/api/v1/areas/%00/"])
def test_a_reference_with_a_nul_character_is_not_found(viewer_client, subrisk, url):
    response = viewer_client.get(url)

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json()["errors"][0]["code"] == "not_found"
