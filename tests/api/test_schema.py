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
        "format",
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
        "413",
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


def _responses(paths, path, method):
    return sorted(paths[path][method]["responses"])


def test_schema_lists_every_status_of_the_methodology_endpoints(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    detail = "/api/v1/methodologies/{reference}/"

    assert _responses(paths, detail, "put") == [
        "200",
        "400",
        "401",
        "403",
        "404",
        "412",
        "413",
        "415",
        "429",
    ]
    for action in ("preview/", "from-bands/"):
        assert _responses(paths, detail + action, "post") == [
            "200",
            "400",
            "401",
            "403",
            "404",
            "413",
            "415",
            "429",
        ]
    for action in ("versions/", "compare/"):
        assert _responses(paths, detail + action, "get") == [
            "200",
            "304",
            "400",
            "401",
            "403",
            "404",
            "429",
        ]
    version = paths[detail + "versions/{number}/"]["get"]
    assert sorted(version["responses"]) == ["200", "304", "401", "403", "404", "429"]
    assert sorted(version["responses"]["200"]["headers"]) == ["ETag", "Last-Modified"]
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert paths[detail]["put"]["responses"]["412"]["content"] == error
    assert paths[detail + "compare/"]["get"]["responses"]["400"]["content"] == error


def test_schema_lists_the_exports_errors_and_file_types(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    export = paths["/api/v1/registers/{reference}/export/"]["get"]["responses"]

    assert sorted(export) == ["200", "400", "401", "403", "404", "429"]
    assert export["200"]["content"] == {
        "application/json": {"schema": {"type": "object", "additionalProperties": {}}},
        "text/csv": {"schema": {"type": "string", "format": "binary"}},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
            "schema": {"type": "string", "format": "binary"}
        },
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    }
    assert export["400"]["content"] == {
        "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
    }


def test_schema_offers_format_json_on_every_read_but_the_export(client):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    formats = {
        path: [p for p in item["get"]["parameters"] if p["name"] == "format"]
        for path, item in paths.items()
        if "get" in item
    }

    export = formats.pop("/api/v1/registers/{reference}/export/")
    assert [parameter["schema"]["enum"] for parameter in export] == [
        ["csv", "json", "pdf", "xlsx"]
    ]
    assert {
        "/api/v1/subrisks/",
        "/api/v1/subrisks/{reference}/",
        "/api/v1/methodologies/{reference}/versions/",
        "/api/v1/methodologies/{reference}/versions/{number}/",
        "/api/v1/methodologies/{reference}/compare/",
    } < formats.keys()
    assert {
        path: [(p["in"], p["schema"]) for p in parameters]
        for path, parameters in formats.items()
    } == {path: [("query", {"type": "string", "enum": ["json"]})] for path in formats}


def test_schema_shows_the_columns_bounds_whatever_the_database(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schemas["RiskArea"]["properties"]["number"] == {
        "type": "integer",
        "maximum": 32767,
        "minimum": 0,
    }
    assert schemas["RiskAreaCreateRequest"]["properties"]["number"] == {
        "type": "integer",
        "maximum": 32767,
        "minimum": 1,
    }
    assert schemas["SubRisk"]["properties"]["revision"] == {
        "type": "integer",
        "maximum": 2147483647,
        "minimum": 0,
        "description": "Raised by one on every save; a write based on an older "
        "revision is refused.",
    }


def test_schema_read_shapes_show_what_writes_set(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    order = {"type": "integer", "maximum": 32767, "minimum": 0}
    assert schemas["SubRisk"]["properties"]["order"] == order
    assert schemas["Mitigation"]["properties"]["order"] == order
    assert schemas["SubRisk"]["properties"]["reviewed_on"] == {
        "type": "string",
        "format": "date",
        "nullable": True,
        "description": "When the workgroup last reviewed the rating; the rating "
        "level's review interval runs from here.",
    }


def test_schema_says_who_saved_a_methodology_version(client):
    schemas = client.get("/api/schema/?format=json").json()["components"]["schemas"]

    assert schemas["Version"]["properties"]["created_by"] == {
        "type": "string",
        "readOnly": True,
        "nullable": True,
        "description": "The username of the user who saved the version; null when "
        "no user did (a register loaded by a command) or the user has been deleted.",
    }
