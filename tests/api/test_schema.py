import re

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework import status

pytestmark = pytest.mark.django_db


def test_schema_describes_the_subrisk_endpoints(client):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == status.HTTP_200_OK
    paths = response.json()["paths"]
    assert {"/api/v1/subrisks/", "/api/v1/subrisks/{reference}/"} <= paths.keys()
    assert [
        parameter["name"]
        for parameter in paths["/api/v1/subrisks/"]["get"]["parameters"]
        if parameter["in"] == "query"
    ] == [
        "area",
        "group",
        "impact",
        "likelihood",
        "min_rating_rank",
        "ordering",
        "page",
        "page_size",
        "q",
        "rating",
        "register",
        "updated_since",
    ]


def test_schema_generates_without_warnings_and_validates(tmp_path):
    GENERATOR_STATS.reset()

    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
    )

    assert "/api/v1/subrisks/{reference}/:" in (tmp_path / "schema.yml").read_text()


def test_docs_page_loads_its_assets_from_static(client):
    response = client.get("/api/docs/")

    assert response.status_code == status.HTTP_200_OK
    html = response.content.decode()
    assets = re.findall(r'<(?:script|link)[^>]*(?:src|href)="([^"]+)"', html)
    assert len(assets) == 4
    assert all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets)
    assert not re.search(r"https?://", html)


def test_schema_describes_errors_validators_and_preconditions(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    feed = paths["/api/v1/ratings/"]["get"]
    patch = paths["/api/v1/subrisks/{reference}/"]["patch"]
    create = paths["/api/v1/factors/"]["post"]
    assert sorted(feed["responses"]) == [
        "200",
        "304",
        "400",
        "401",
        "403",
        "404",
        "429",
    ]
    assert sorted(feed["responses"]["200"]["headers"]) == ["ETag", "Last-Modified"]
    assert {"If-None-Match", "If-Modified-Since"} <= {
        parameter["name"] for parameter in feed["parameters"]
    }
    assert sorted(patch["responses"]) == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "409",
        "412",
        "415",
        "428",
        "429",
    ]
    assert "If-Match" in {parameter["name"] for parameter in patch["parameters"]}
    assert patch["responses"]["412"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert patch["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SubRisk"
    }
    assert sorted(create["responses"]["201"]["headers"]) == ["ETag", "Location"]
    assert paths["/api/v1/factors/{reference}/"]["delete"]["responses"]["204"] == {
        "description": "No response body"
    }


def test_schema_says_how_a_time_without_an_offset_is_read(client):
    parameters = client.get("/api/schema/?format=json").json()["paths"][
        "/api/v1/ratings/"
    ]["get"]["parameters"]

    updated_since = next(p for p in parameters if p["name"] == "updated_since")
    assert updated_since["schema"] == {"type": "string", "format": "date-time"}
    assert updated_since["description"].endswith(
        "a time without an offset is UK time (Europe/London)"
    )
