import copy

import pytest
from django.test import Client
from rest_framework import status

from risks.document import methodology_to_document
from risks.models import MethodologyVersion, SubRisk
from tests.api.conftest import CREATED, CREATED_JSON
from tests.factories import RegisterFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/methodologies/SRR-2017/"


@pytest.fixture
def api_admin(methodology_admin):
    client = Client()
    client.force_login(methodology_admin)
    return client


def state(register, reason="A reason", **changes):
    """The methodology as a PUT body: its full current state, then `changes`."""
    body = copy.deepcopy(methodology_to_document(register.methodology))
    body.update(reason=reason, revision=register.methodology.revision, **changes)
    return body


def with_cell(body, likelihood, impact, rating):
    for cell in body["matrix"]:
        if (cell["likelihood"], cell["impact"]) == (likelihood, impact):
            cell["rating"] = rating
    return body


def put(client, body, url=URL):
    return client.put(url, body, content_type="application/json")


def post(client, path, body, url=URL):
    return client.post(url + path, body, content_type="application/json")


def ratings(register):
    return dict(
        SubRisk.objects.filter(area__register=register).values_list(
            "reference", "rating__name"
        )
    )


def error(field, message, code="invalid"):
    return {"field": field, "message": message, "code": code}


# ---- Access -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["viewer", "editor", "methodology_admin"])
def test_every_role_reads_the_methodology_and_its_versions(
    client, request, persona, register_2017
):
    client.force_login(request.getfixturevalue(persona))

    for path in ("", "versions/", "versions/1/"):
        assert client.get(URL + path).status_code == status.HTTP_200_OK


@pytest.mark.parametrize("persona", ["viewer", "editor"])
def test_only_methodology_admins_write(client, request, persona, register_2017):
    client.force_login(request.getfixturevalue(persona))
    body = with_cell(state(register_2017), 3, 3, "High")

    responses = [
        put(client, body),
        post(client, "preview/", body),
        post(client, "from-bands/", {"bands": [{"rating": "Low", "lowest_score": 1}]}),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert MethodologyVersion.objects.count() == 1


def test_anonymous_requests_are_refused(client, register_2017):
    for response in (client.get(URL + "versions/"), put(client, {})):
        assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_patch_is_not_offered(api_admin, register_2017):
    response = api_admin.patch(URL, {}, content_type="application/json")

    assert response.status_code == status.HTTP_405_METHOD_NOT_ALLOWED


# ---- PUT ------------------------------------------------------------------------


def test_put_saves_a_version_and_reports_every_changed_rating(
    api_admin, register_2017, methodology_admin
):
    body = with_cell(state(register_2017, "Medium x Medium is High"), 3, 3, "High")

    response = put(api_admin, body)

    assert response.status_code == status.HTTP_200_OK
    data = response.json()
    assert data["version"] == 2
    assert data["changes"] == [
        {
            "reference": f"SRR-2017/{key}",
            "statement": SubRisk.objects.get(reference=f"SRR-2017/{key}").statement,
            "old": "Medium",
            "new": "High",
        }
        for key in ("3.a", "4.a", "7.a")
    ]
    assert data["counts"] == [
        {"rating": "Low", "before": 6, "after": 6},
        {"rating": "Medium", "before": 6, "after": 3},
        {"rating": "High", "before": 1, "after": 4},
    ]
    assert data["warnings"] == []
    assert data["methodology"]["version"] == 2
    assert data["methodology"]["revision"] == 2
    assert ratings(register_2017)["SRR-2017/7.a"] == "High"
    version = MethodologyVersion.objects.get(version=2)
    assert (version.created_by, version.reason) == (
        methodology_admin,
        "Medium x Medium is High",
    )
    entry = SubRisk.objects.get(reference="SRR-2017/7.a").history.first()
    assert (
        entry.history_change_reason == "Methodology version 2: Medium x Medium is High"
    )


def test_put_with_a_stale_revision_is_refused_with_412_and_writes_nothing(
    api_admin, register_2017
):
    first = with_cell(state(register_2017), 1, 1, "Medium")
    stale = with_cell(state(register_2017), 3, 3, "High")
    assert put(api_admin, first).status_code == status.HTTP_200_OK

    response = put(api_admin, stale)

    assert response.status_code == status.HTTP_412_PRECONDITION_FAILED
    assert response.json() == {
        "errors": [
            error(
                "revision",
                "The methodology is at revision 2 now, not 1: someone saved version "
                "2 since you read it. Nothing was written; read it again and base "
                "your change on it.",
                "stale",
            )
        ]
    }
    assert MethodologyVersion.objects.count() == 2
    assert ratings(register_2017)["SRR-2017/3.a"] == "Medium"


def test_put_needs_a_reason_and_a_revision(api_admin, register_2017):
    body = state(register_2017, reason="")
    del body["revision"]

    response = put(api_admin, body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [
            error("reason", "This field may not be blank.", "blank"),
            error("revision", "This field is required.", "required"),
        ]
    }


def test_put_refuses_an_incomplete_matrix_naming_the_field(api_admin, register_2017):
    body = state(register_2017)
    body["matrix"] = [
        cell
        for cell in body["matrix"]
        if (cell["likelihood"], cell["impact"]) != (2, 3)
    ]

    response = put(api_admin, body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [error("matrix", "Choose a rating for every cell; missing: 2 x 3.")]
    }


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            lambda body: with_cell(body, 2, 2, "Severe"),
            error(
                "matrix",
                "Cells naming no rating level: 2 x 2 ('Severe'); use one of Low, "
                "Medium, High, Very High.",
            ),
        ),
        (
            lambda body: body["matrix"].append(
                {"likelihood": 6, "impact": 1, "rating": "Low"}
            ),
            error("matrix", "Cells outside the 5 x 5 scales: 6 x 1."),
        ),
        (
            lambda body: body["matrix"].append(dict(body["matrix"][0])),
            error("matrix", "Two cells for likelihood 5 x impact 1."),
        ),
        (
            lambda body: body["rating_levels"][0].update(colour="green"),
            error(
                "rating_levels.0.colour",
                "Give the colour as #rrggbb, for example #c62828.",
            ),
        ),
        (
            lambda body: body.update(impact_levels=body["impact_levels"][:2]),
            error("impact_levels", "A scale has 3 to 7 levels; this one has 2."),
        ),
        (
            lambda body: body.update(likelihood_mapping={"high": 2}),
            error(
                "likelihood_mapping",
                "Keys are the values of removed levels, 1 to 7; got 'high'.",
            ),
        ),
    ],
)
def test_put_refuses_bad_input_naming_the_field(
    api_admin, register_2017, change, expected
):
    body = state(register_2017)
    change(body)

    response = put(api_admin, body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [expected]
    assert MethodologyVersion.objects.count() == 1


def test_removing_a_used_level_is_refused_until_it_is_mapped(api_admin, register_2017):
    body = state(register_2017, "Four likelihood levels")
    body["likelihood_levels"].pop()
    body["matrix"] = [cell for cell in body["matrix"] if cell["likelihood"] != 5]

    refused = put(api_admin, body)
    body["likelihood_mapping"] = {"5": 4}
    saved = put(api_admin, body)

    assert refused.status_code == status.HTTP_400_BAD_REQUEST
    assert refused.json()["errors"] == [
        error(
            "likelihood_levels",
            "Level 5 (Very High) is used by 3 sub-risk(s): map them to a remaining "
            "level first.",
        )
    ]
    assert saved.status_code == status.HTTP_200_OK
    assert saved.json()["changes"] == []
    moved = SubRisk.objects.get(reference="SRR-2017/1.a")
    assert (moved.likelihood.value, moved.rating.name) == (4, "Low")
    entry = moved.history.first()
    assert (
        entry.history_change_reason == "Methodology version 2: Four likelihood levels"
    )
    assert entry.likelihood_id == moved.likelihood_id


def test_put_of_a_body_that_is_not_json_gets_415(api_admin, register_2017):
    response = api_admin.put(URL, "name=New", content_type="text/plain")

    assert response.status_code == status.HTTP_415_UNSUPPORTED_MEDIA_TYPE
    assert response.json() == {
        "errors": [
            error(
                None,
                'Unsupported media type "text/plain" in request.',
                "unsupported_media_type",
            )
        ]
    }


def with_unknown_fields(body):
    """`body` with a field that no shape has at each level of nesting."""
    body["foo"] = 1
    body["likelihood_levels"][0]["extra"] = "x"
    body["rating_levels"][1]["shade"] = "dark"
    body["matrix"][0]["colour"] = "#ff0000"
    return body


UNKNOWN_FIELDS = [
    error("likelihood_levels.0.extra", "Unknown field.", "unknown_field"),
    error("rating_levels.1.shade", "Unknown field.", "unknown_field"),
    error("matrix.0.colour", "Unknown field.", "unknown_field"),
    error("foo", "Unknown field.", "unknown_field"),
]


def test_put_refuses_unknown_fields_naming_each_and_writes_nothing(
    api_admin, register_2017
):
    body = with_unknown_fields(with_cell(state(register_2017), 3, 3, "High"))

    response = put(api_admin, body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {"errors": UNKNOWN_FIELDS}
    assert MethodologyVersion.objects.count() == 1
    assert ratings(register_2017)["SRR-2017/3.a"] == "Medium"


def test_unknown_fields_are_named_with_the_other_errors(api_admin, register_2017):
    body = with_unknown_fields(state(register_2017, reason=""))

    response = put(api_admin, body)

    assert response.json()["errors"] == [
        *UNKNOWN_FIELDS[:3],
        error("reason", "This field may not be blank.", "blank"),
        UNKNOWN_FIELDS[3],
    ]


def test_preview_refuses_unknown_fields_and_a_revision(api_admin, register_2017):
    body = with_unknown_fields(state(register_2017))

    response = post(api_admin, "preview/", body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [
            *UNKNOWN_FIELDS,
            error("revision", "Unknown field.", "unknown_field"),
        ]
    }


def test_from_bands_refuses_unknown_fields(api_admin, register_2017):
    body = {
        "bands": [{"rating": "Low", "lowest_score": 1, "colour": "#2e7d32"}],
        "levels": 5,
    }

    response = post(api_admin, "from-bands/", body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [
            error("bands.0.colour", "Unknown field.", "unknown_field"),
            error("levels", "Unknown field.", "unknown_field"),
        ]
    }


# ---- Preview and bands ------------------------------------------------------------


def test_preview_matches_what_put_then_does_and_writes_nothing(
    api_admin, register_2017
):
    body = with_cell(state(register_2017, "Stricter"), 2, 3, "Low")
    body = with_cell(body, 4, 3, "Very High")
    preview_body = {k: v for k, v in body.items() if k != "revision"}

    preview = post(api_admin, "preview/", preview_body)
    unchanged = ratings(register_2017)
    saved = put(api_admin, body)

    assert preview.status_code == status.HTTP_200_OK
    assert unchanged["SRR-2017/9.a"] == "Medium"
    assert MethodologyVersion.objects.count() == 2
    expected = {key: saved.json()[key] for key in ("version", "changes", "counts")}
    assert {key: preview.json()[key] for key in expected} == expected
    assert [c["reference"] for c in preview.json()["changes"]] == [
        "SRR-2017/9.a",
        "SRR-2017/10.a",
    ]


def test_preview_warns_about_a_non_monotonic_matrix(api_admin, register_2017):
    body = with_cell(state(register_2017), 4, 4, "Low")
    del body["revision"]

    response = post(api_admin, "preview/", body)

    assert response.json()["warnings"] == [
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood "
        "3 x impact 4.",
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood "
        "4 x impact 3.",
    ]


def test_from_bands_proposes_a_matrix(api_admin, register_2017):
    response = post(
        api_admin,
        "from-bands/",
        {
            "bands": [
                {"rating": "Low", "lowest_score": 1},
                {"rating": "High", "lowest_score": 4},
            ],
            "likelihood_levels": 3,
            "impact_levels": 3,
        },
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json() == {
        "matrix": [
            {"likelihood": 3, "impact": 1, "rating": "Low"},
            {"likelihood": 3, "impact": 2, "rating": "High"},
            {"likelihood": 3, "impact": 3, "rating": "High"},
            {"likelihood": 2, "impact": 1, "rating": "Low"},
            {"likelihood": 2, "impact": 2, "rating": "High"},
            {"likelihood": 2, "impact": 3, "rating": "High"},
            {"likelihood": 1, "impact": 1, "rating": "Low"},
            {"likelihood": 1, "impact": 2, "rating": "Low"},
            {"likelihood": 1, "impact": 3, "rating": "Low"},
        ],
        "warnings": [],
    }
    assert MethodologyVersion.objects.count() == 1


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            {"bands": [{"rating": "Severe", "lowest_score": 1}]},
            error(
                "bands",
                "Unknown rating Severe; use one of Low, Medium, High, Very High.",
            ),
        ),
        (
            {"bands": [{"rating": "Low", "lowest_score": 2}]},
            error("bands", "The lowest band must start at score 1."),
        ),
        (
            {
                "bands": [
                    {"rating": "Low", "lowest_score": 1},
                    {"rating": "High", "lowest_score": 1},
                ]
            },
            error("bands", "Two bands cannot start at the same score."),
        ),
        ({"bands": []}, error("bands", "This list may not be empty.", "empty")),
        (
            {"bands": [{"rating": "Low", "lowest_score": 1}], "impact_levels": 9},
            error(
                "impact_levels",
                "Ensure this value is less than or equal to 7.",
                "max_value",
            ),
        ),
    ],
)
def test_from_bands_refuses_bad_bands(api_admin, register_2017, body, expected):
    response = post(api_admin, "from-bands/", body)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [expected]


# ---- Versions and comparison -----------------------------------------------


def test_versions_list_and_detail(api_admin, register_2017):
    put(api_admin, with_cell(state(register_2017, "Stricter"), 3, 3, "High"))
    MethodologyVersion.objects.update(created_at=CREATED)

    listing = api_admin.get(URL + "versions/")
    detail = api_admin.get(URL + "versions/2/")

    assert listing.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "url": "http://testserver/api/v1/methodologies/SRR-2017/versions/2/",
                "version": 2,
                "created_at": CREATED_JSON,
                "created_by": "methodology-admin",
                "reason": "Stricter",
            },
            {
                "url": "http://testserver/api/v1/methodologies/SRR-2017/versions/1/",
                "version": 1,
                "created_at": CREATED_JSON,
                "created_by": None,
                "reason": "Created",
            },
        ],
    }
    snapshot = MethodologyVersion.objects.get(version=2).snapshot
    assert detail.json() == {
        "url": "http://testserver/api/v1/methodologies/SRR-2017/versions/2/",
        "version": 2,
        "created_at": CREATED_JSON,
        "created_by": "methodology-admin",
        "reason": "Stricter",
        "snapshot": snapshot,
    }
    assert {"likelihood": 3, "impact": 3, "rating": "High"} in snapshot["matrix"]


def test_versions_list_keeps_its_query_count(
    api_admin, register_2017, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        api_admin.get(URL + "versions/")
    user = UserFactory()
    snapshot = MethodologyVersion.objects.get().snapshot
    for number in range(2, 12):
        MethodologyVersion.objects.create(
            methodology=register_2017.methodology,
            version=number,
            created_by=user,
            snapshot=snapshot,
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = api_admin.get(URL + "versions/")

    assert response.json()["count"] == 11


@pytest.mark.parametrize(
    "path",
    ["versions/9/", "versions/x/", "versions/-1/"],
)
def test_unknown_versions_are_not_found(api_admin, register_2017, path):
    assert api_admin.get(URL + path).status_code == status.HTTP_404_NOT_FOUND


def test_unknown_register_is_not_found(api_admin, register_2017):
    for response in (
        api_admin.get("/api/v1/methodologies/NOPE/versions/"),
        put(api_admin, state(register_2017), url="/api/v1/methodologies/NOPE/"),
        post(api_admin, "preview/", {}, url="/api/v1/methodologies/NOPE/"),
    ):
        assert response.status_code == status.HTTP_404_NOT_FOUND


def test_compare_lists_cells_and_levels_with_what_changed(api_admin, register_2017):
    body = with_cell(state(register_2017, "Relabel"), 3, 3, "High")
    body["impact_levels"][0]["label"] = "Negligible"
    put(api_admin, body)

    response = api_admin.get(URL + "compare/", {"from": 1, "to": 2})

    assert response.status_code == status.HTTP_200_OK
    data = response.json()
    assert (data["from"], data["to"]) == (1, 2)
    assert data["name"] == {
        "changed": False,
        "from": "Likelihood x Settlement Impact",
        "to": "Likelihood x Settlement Impact",
    }
    assert [cell for cell in data["cells"] if cell["changed"]] == [
        {"likelihood": 3, "impact": 3, "changed": True, "from": "Medium", "to": "High"}
    ]
    assert len(data["cells"]) == 25
    assert data["impact_levels"][0] == {
        "value": 1,
        "difference": "changed",
        "fields": ["label"],
        "from": {"value": 1, "label": "Very Low", "definition": ""},
        "to": {"value": 1, "label": "Negligible", "definition": ""},
    }
    assert {level["difference"] for level in data["rating_levels"]} == {"unchanged"}


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"from": 1, "to": 5},
            error("to", "There is no version 5; the versions are 1."),
        ),
        ({"to": 1}, error("from", "This field is required.", "required")),
        ({"from": "x", "to": 1}, error("from", "A valid integer is required.")),
    ],
)
def test_compare_refuses_bad_parameters_naming_them(
    api_admin, register_2017, params, expected
):
    response = api_admin.get(URL + "compare/", params)

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [expected]


def test_other_registers_methodologies_are_untouched(api_admin, register_2017):
    other = RegisterFactory(reference="OTHER")

    put(api_admin, with_cell(state(register_2017), 3, 3, "High"))

    other.methodology.refresh_from_db()
    assert other.methodology.version == 1


# ---- Validators ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["versions/", "versions/1/", "compare/?from=1&to=1"])
def test_versions_and_comparisons_answer_304_while_nothing_changed(
    api_admin, register_2017, path
):
    first = api_admin.get(URL + path)

    again = api_admin.get(URL + path, headers={"if-none-match": first["ETag"]})
    since = api_admin.get(
        URL + path, headers={"if-modified-since": first["Last-Modified"]}
    )

    assert first.status_code == status.HTTP_200_OK
    assert first["Cache-Control"] == "private, no-cache"
    assert (again.status_code, again.content) == (status.HTTP_304_NOT_MODIFIED, b"")
    assert again["ETag"] == first["ETag"]
    assert since.status_code == status.HTTP_304_NOT_MODIFIED


@pytest.mark.parametrize("path", ["versions/", "versions/1/", "compare/?from=1&to=1"])
def test_a_new_version_changes_the_validators(api_admin, register_2017, path):
    etag = api_admin.get(URL + path)["ETag"]

    put(api_admin, with_cell(state(register_2017), 3, 3, "High"))
    response = api_admin.get(URL + path, headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_200_OK
    assert response["ETag"] != etag


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("versions/9/", status.HTTP_404_NOT_FOUND),
        ("compare/?from=1&to=9", status.HTTP_400_BAD_REQUEST),
    ],
)
def test_a_refused_read_is_never_answered_304(api_admin, register_2017, path, code):
    response = api_admin.get(URL + path, headers={"if-none-match": "*"})

    assert response.status_code == code
    assert "ETag" not in response
