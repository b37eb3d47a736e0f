import pytest
from django.test import Client
from rest_framework import status

from mitigations.models import Mitigation
from risks.api.ratings import RatingFeedViewSet
from risks.models import ApiToken, RiskArea, RiskFactor, SubRisk
from risks.services import record_restore
from risks.tokens import api_token_issue
from tests.factories import (
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(register):
    return RiskAreaFactory(register=register, number=2, name="Installation")


@pytest.fixture
def subrisk(area):
    return SubRiskFactory(
        area=area, statement="Aborted visits.", likelihood_value=4, impact_value=1
    )


def send(client, method, url, body=None, etag=None):
    headers = {"if-match": etag} if etag else {}
    return getattr(client, method)(
        url, body, content_type="application/json", headers=headers
    )


def errors(response):
    return [(error["field"], error["message"]) for error in response.json()["errors"]]


def etag_of(client, url):
    return client.get(url)["ETag"]


# Creating


def test_creating_a_subrisk_returns_it_rated_with_etag_and_location(api, editor, area):
    response = send(
        api,
        "post",
        "/api/v1/subrisks/",
        {
            "area": "REG-A/2",
            "statement": "Installation errors cause data quality issues.",
            "rating_label": "Likelihood of installation errors",
            "likelihood": 2,
            "impact": 4,
        },
    )

    assert response.status_code == status.HTTP_201_CREATED, response.content
    body = response.json()
    assert response["Location"] == "http://testserver/api/v1/subrisks/REG-A/2.a/"
    assert type(response["Location"]) is str
    assert response["ETag"] == etag_of(api, "/api/v1/subrisks/REG-A/2.a/")
    assert {
        key: body[key]
        for key in ["reference", "area", "likelihood", "impact", "rating", "revision"]
    } == {
        "reference": "REG-A/2.a",
        "area": "REG-A/2",
        "likelihood": {"value": 2, "label": "Low"},
        "impact": {"value": 4, "label": "High"},
        "rating": {"name": "Medium", "rank": 2, "colour": "#f2c200"},
        "revision": 1,
    }
    record = SubRisk.objects.get(reference="REG-A/2.a").history.get()
    assert (record.history_type, record.history_user) == ("+", editor)


def test_a_level_off_the_scale_is_refused_naming_the_field(api, area):
    response = send(
        api,
        "post",
        "/api/v1/subrisks/",
        {"area": "REG-A/2", "statement": "A risk.", "likelihood": 6, "impact": 0},
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        ("likelihood", "Choose a likelihood of this register's scale: 1, 2, 3, 4, 5."),
        (
            "impact",
            "Choose a settlement impact of this register's scale: 1, 2, 3, 4, 5.",
        ),
    ]
    assert not SubRisk.objects.exists()


def test_unknown_fields_are_refused_naming_each(api, area):
    response = send(
        api,
        "post",
        "/api/v1/subrisks/",
        {
            "area": "REG-A/2",
            "statement": "A risk.",
            "likelihood": 2,
            "impact": 2,
            "rating": "Low",
            "colour": "#fff",
        },
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json() == {
        "errors": [
            {"field": "colour", "message": "Unknown field.", "code": "unknown_field"},
            {"field": "rating", "message": "Unknown field.", "code": "unknown_field"},
        ]
    }
    assert not SubRisk.objects.exists()


def test_an_unknown_or_archived_area_is_refused(api, area):
    area.archived_at = area.created_at
    area.save()

    response = send(
        api,
        "post",
        "/api/v1/factors/",
        {"area": "REG-A/2", "text": "A factor."},
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [("area", "No live area has the reference “REG-A/2”.")]


def test_a_body_that_is_not_an_object_is_refused(api, area):
    response = send(api, "post", "/api/v1/factors/", ["text"])

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        (None, "Invalid data. Expected a dictionary, but got list.")
    ]


def test_malformed_json_is_refused(api, area):
    response = api.post(
        "/api/v1/factors/", "{not json", content_type="application/json"
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_json_nested_too_deeply_is_refused(api, area):
    body = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"

    response = api.post("/api/v1/factors/", body, content_type="application/json")

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "JSON parse error - the body is nested too deeply.",
            "code": "parse_error",
        }
    ]


def test_a_body_over_the_size_limit_is_refused(api, area, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = send(
        api, "post", "/api/v1/factors/", {"area": "REG-A/2", "text": "x" * 1000}
    )

    assert response.status_code == status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "The body is larger than the 1,000 bytes this server accepts.",
            "code": "too_large",
        }
    ]
    assert not RiskFactor.objects.exists()


def test_a_form_body_with_too_many_fields_is_refused(api, area, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    body = "&".join(f"f{number}=x" for number in range(5))

    response = api.post(
        "/api/v1/factors/", body, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "The body has more than the 3 fields this server accepts.",
            "code": "parse_error",
        }
    ]


def test_a_fault_of_the_servers_is_answered_in_the_error_shape(
    api, area, monkeypatch, caplog
):
    def fail(self):
        raise RuntimeError("a bug")

    monkeypatch.setattr(RatingFeedViewSet, "get_queryset", fail)

    response = api.get("/api/v1/ratings/")

    assert response.status_code == status.HTTP_500_INTERNAL_SERVER_ERROR
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == [
        {
            "field": None,
            "message": "The server could not answer this request; the failure "
            "has been logged.",
            "code": "server_error",
        }
    ]
    assert "RuntimeError: a bug" in caplog.text


@pytest.mark.parametrize(
    ("archived", "message"),
    [
        (False, "This register already has an area 2."),
        (
            True,
            "Area 2 of this register is archived; restore it, or choose "
            "another number.",
        ),
    ],
)
def test_creating_an_area_with_a_taken_number_names_the_number(
    api, area, archived, message
):
    if archived:
        RiskArea.objects.filter(pk=area.pk).update(archived_at="2020-01-01T00:00Z")

    response = send(
        api,
        "post",
        "/api/v1/areas/",
        {"register": "REG-A", "number": 2, "name": "Again", "statement": "A risk."},
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [
        {"field": "number", "message": message, "code": "unique"}
    ]
    assert RiskArea.objects.count() == 1


def test_creating_an_area_with_see_also_in_another_register_is_refused(api, area):
    other = RiskAreaFactory(register=RegisterFactory(reference="REG-B"), number=1)

    response = send(
        api,
        "post",
        "/api/v1/areas/",
        {
            "register": "REG-A",
            "number": 3,
            "name": "Inter-operability",
            "statement": "A risk.",
            "see_also": ["REG-A/2", other.reference],
        },
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        (
            "see_also",
            "Refer only to other areas of the same register, not REG-B/1.",
        )
    ]


def test_creating_an_area_links_see_also(api, editor, area):
    response = send(
        api,
        "post",
        "/api/v1/areas/",
        {
            "register": "REG-A",
            "number": 3,
            "name": "Inter-operability",
            "statement": "A risk.",
            "see_also": ["REG-A/2"],
        },
    )

    assert response.status_code == status.HTTP_201_CREATED, response.content
    assert response.json()["see_also"] == ["REG-A/2"]
    created = RiskArea.objects.get(reference="REG-A/3")
    assert {record.history_user for record in created.history.all()} == {editor}


def test_a_proposal_without_status_gets_the_models_message(api, area):
    response = send(
        api,
        "post",
        "/api/v1/mitigations/",
        {"area": "REG-A/2", "kind": "proposed", "text": "Audit the installers."},
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [("status", "Give the proposal's status.")]


def test_a_mitigation_for_a_subrisk_of_another_area_is_refused(api, area):
    elsewhere = SubRiskFactory(area=RiskAreaFactory(register=area.register, number=5))

    response = send(
        api,
        "post",
        "/api/v1/mitigations/",
        {
            "area": "REG-A/2",
            "kind": "current",
            "text": "Audit the installers.",
            "subrisks": [elsewhere.reference],
        },
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        ("subrisks", "Choose sub-risks of area REG-A/2 only, not REG-A/5.a.")
    ]


def test_creating_a_mitigation_returns_the_read_shape(api, editor, subrisk):
    response = send(
        api,
        "post",
        "/api/v1/mitigations/",
        {
            "area": "REG-A/2",
            "kind": "proposed",
            "status": "agreed",
            "text": "Audit the installers.",
            "owner": "Suppliers",
            "due_date": "2027-03-31",
            "references": ["SLC 43"],
            "subrisks": [subrisk.reference],
        },
    )

    assert response.status_code == status.HTTP_201_CREATED, response.content
    body = response.json()
    del body["created_at"], body["updated_at"]
    assert body == {
        "url": "http://testserver/api/v1/mitigations/REG-A/2/M1/",
        "reference": "REG-A/2/M1",
        "register": "REG-A",
        "area": "REG-A/2",
        "kind": "proposed",
        "none_proposed": False,
        "text": "Audit the installers.",
        "owner": "Suppliers",
        "status": "agreed",
        "due_date": "2027-03-31",
        "references": ["SLC 43"],
        "subrisks": ["REG-A/2.a"],
        "applies_to_area": False,
        "order": 0,
        "revision": 1,
    }
    assert {record.history_user for record in Mitigation.history.all()} == {editor}


# Updating


def test_patch_with_the_etag_updates_and_records_the_tokens_user(api, editor, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"

    response = send(api, "patch", url, {"impact": 4}, etag=etag_of(api, url))

    assert response.status_code == status.HTTP_200_OK, response.content
    body = response.json()
    assert (body["revision"], body["impact"], body["rating"]["name"]) == (
        2,
        {"value": 4, "label": "High"},
        "High",
    )
    assert response["ETag"] == etag_of(api, url)
    record = SubRisk.history.filter(reference=subrisk.reference).first()
    assert (record.history_type, record.history_user, record.revision) == (
        "~",
        editor,
        2,
    )


@pytest.mark.parametrize("body", [{}, {"impact": 1, "statement": "Unchanged."}])
def test_a_patch_that_changes_nothing_is_not_a_change(api, subrisk, body):
    subrisk.statement = "Unchanged."
    subrisk.save()
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    etag = etag_of(api, url)
    entries = subrisk.history.count()

    response = send(api, "patch", url, body, etag=etag)

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["revision"] == subrisk.revision
    assert response["ETag"] == etag
    assert subrisk.history.count() == entries


def test_a_write_without_if_match_or_revision_gets_428(api, subrisk):
    response = send(
        api, "patch", f"/api/v1/subrisks/{subrisk.reference}/", {"impact": 4}
    )

    assert response.status_code == status.HTTP_428_PRECONDITION_REQUIRED
    assert response.json() == {
        "errors": [
            {
                "field": None,
                "message": "Send If-Match with the record's ETag, or its revision "
                "in the body, to change it.",
                "code": "precondition_required",
            }
        ]
    }
    subrisk.refresh_from_db()
    assert (subrisk.revision, subrisk.impact.value) == (1, 1)


def test_if_match_star_is_not_enough(api, subrisk):
    response = send(
        api,
        "patch",
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"impact": 4},
        etag="*",
    )

    assert response.status_code == status.HTTP_428_PRECONDITION_REQUIRED


def test_a_stale_etag_gets_412_and_changes_nothing(api, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    stale = etag_of(api, url)
    assert send(api, "patch", url, {"statement": "First."}, etag=stale).status_code == (
        status.HTTP_200_OK
    )
    current = etag_of(api, url)

    response = send(api, "patch", url, {"statement": "Second."}, etag=stale)

    assert response.status_code == status.HTTP_412_PRECONDITION_FAILED
    assert errors(response) == [
        (
            None,
            f"REG-A/2.a has changed since you read it; its ETag is now {current} "
            "(revision 2).",
        )
    ]
    subrisk.refresh_from_db()
    assert (subrisk.statement, subrisk.revision) == ("First.", 2)
    assert subrisk.history.count() == 2


def test_a_stale_revision_in_the_body_gets_412(api, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    send(api, "patch", url, {"statement": "First.", "revision": 1})

    response = send(api, "patch", url, {"statement": "Second.", "revision": 1})

    assert response.status_code == status.HTTP_412_PRECONDITION_FAILED
    assert errors(response) == [
        (
            None,
            "REG-A/2.a has been changed by someone else since you opened it (it is "
            "now at revision 2).",
        )
    ]
    subrisk.refresh_from_db()
    assert subrisk.statement == "First."


def test_the_current_revision_in_the_body_is_enough(api, subrisk):
    response = send(
        api,
        "patch",
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"statement": "Updated.", "revision": 1},
    )

    assert response.status_code == status.HTTP_200_OK
    assert response.json()["statement"] == "Updated."


@pytest.mark.parametrize("value", [123, True, ["text"], {"text": "x"}])
def test_text_that_is_not_a_string_is_refused(api, subrisk, value):
    url = f"/api/v1/subrisks/{subrisk.reference}/"

    response = send(api, "patch", url, {"statement": value, "revision": 1})

    assert (response.status_code, errors(response)) == (
        status.HTTP_400_BAD_REQUEST,
        [("statement", "Must be text (a JSON string).")],
    )
    subrisk.refresh_from_db()
    assert subrisk.statement == "Aborted visits."


def test_a_mitigation_reference_that_is_not_a_string_is_refused(api, area):
    response = send(
        api,
        "post",
        "/api/v1/mitigations/",
        {
            "area": area.reference,
            "kind": "current",
            "text": "Checks.",
            "references": ["SLC 43", 44],
        },
    )

    assert (response.status_code, errors(response)) == (
        status.HTTP_400_BAD_REQUEST,
        [("references.1", "Must be text (a JSON string).")],
    )


def test_a_matrix_change_leaves_an_etag_good_for_writing_as_the_revision_is(
    api, subrisk
):
    # The rating is the matrix's, not the writer's: re-rating is not a write
    # that a PATCH could undo, so an ETag and a revision stay good alike.
    url = f"/api/v1/subrisks/{subrisk.reference}/"
    etag = etag_of(api, url)
    cell = subrisk.area.register.methodology.cells.get(
        likelihood=subrisk.likelihood, impact=subrisk.impact
    )
    cell.rating = subrisk.area.register.methodology.rating_levels.get(name="High")
    cell.save()

    read = api.get(url, headers={"if-none-match": etag})
    response = send(api, "patch", url, {"statement": "Updated."}, etag=etag)

    assert read.status_code == status.HTTP_200_OK
    assert response.status_code == status.HTTP_200_OK
    assert response.json()["rating"]["name"] == "High"


def test_put_needs_every_required_field(api, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"

    response = send(
        api, "put", url, {"statement": "Only this."}, etag=etag_of(api, url)
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        ("likelihood", "This field is required."),
        ("impact", "This field is required."),
    ]


def test_put_replaces_the_fields(api, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"

    response = send(
        api,
        "put",
        url,
        {
            "statement": "Replaced.",
            "rating_label": "",
            "likelihood": 3,
            "impact": 3,
            "order": 4,
            "reviewed_on": "2017-05-24",
        },
        etag=etag_of(api, url),
    )

    assert response.status_code == status.HTTP_200_OK, response.content
    subrisk.refresh_from_db()
    assert (
        subrisk.statement,
        subrisk.likelihood.value,
        subrisk.impact.value,
        subrisk.rating.name,
        subrisk.order,
        str(subrisk.reviewed_on),
    ) == ("Replaced.", 3, 3, "Medium", 4, "2017-05-24")


def test_an_area_cannot_refer_to_itself(api, area):
    url = f"/api/v1/areas/{area.reference}/"

    response = send(
        api, "patch", url, {"see_also": [area.reference]}, etag=etag_of(api, url)
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [
        ("see_also", "Refer only to other areas of the same register, not REG-A/2.")
    ]


def test_updating_an_unknown_record_is_not_found(api, register):
    response = send(
        api, "patch", "/api/v1/subrisks/REG-A/9.z/", {"statement": "x"}, etag='"x"'
    )

    assert response.status_code == status.HTTP_404_NOT_FOUND


# Archiving


def test_delete_archives_and_the_record_can_be_restored(api, editor, subrisk):
    url = f"/api/v1/subrisks/{subrisk.reference}/"

    response = send(api, "delete", url, etag=etag_of(api, url))

    assert response.status_code == status.HTTP_204_NO_CONTENT
    assert api.get(url).status_code == status.HTTP_404_NOT_FOUND
    subrisk.refresh_from_db()
    assert subrisk.archived_at is not None
    assert subrisk.history.first().history_user == editor
    record_restore(instance=subrisk, user=editor, revision=2)
    assert api.get(url).status_code == status.HTTP_200_OK


def test_delete_without_if_match_gets_428(api, subrisk):
    response = send(api, "delete", f"/api/v1/subrisks/{subrisk.reference}/")

    assert response.status_code == status.HTTP_428_PRECONDITION_REQUIRED
    subrisk.refresh_from_db()
    assert subrisk.archived_at is None


def test_delete_with_a_stale_etag_gets_412(api, subrisk):
    response = send(
        api, "delete", f"/api/v1/subrisks/{subrisk.reference}/", etag='"stale"'
    )

    assert response.status_code == status.HTTP_412_PRECONDITION_FAILED
    subrisk.refresh_from_db()
    assert subrisk.archived_at is None


# Every entity, every write, in history


def _factor(area):
    return RiskFactorFactory(area=area, text="A factor.")


def _mitigation(area):
    return MitigationFactory(area=area, text="A control.")


def _subrisk(area):
    return SubRiskFactory(area=area)


@pytest.mark.parametrize(
    ("endpoint", "make", "field", "value"),
    [
        ("areas", lambda area: area, "number", 7),
        ("areas", lambda area: area, "register", "REG-B"),
        ("subrisks", _subrisk, "area", "REG-A/9"),
        ("factors", _factor, "area", "REG-A/9"),
        ("mitigations", _mitigation, "area", "REG-A/9"),
    ],
)
def test_a_field_of_the_reference_cannot_change(
    api, area, endpoint, make, field, value
):
    record = make(area)
    url = f"/api/v1/{endpoint}/{record.reference}/"

    response = send(api, "patch", url, {field: value}, etag=etag_of(api, url))

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [
        {
            "field": field,
            "message": "Cannot be changed once the record exists: it is part of "
            "its reference.",
            "code": "fixed_field",
        }
    ]
    record.refresh_from_db()
    assert record.revision == 1


@pytest.mark.parametrize(
    ("endpoint", "make", "field"),
    [
        ("areas", lambda area: area, "see_also"),
        ("mitigations", _mitigation, "subrisks"),
    ],
)
def test_an_object_is_not_taken_for_a_list_of_references(
    api, area, endpoint, make, field
):
    record = make(area)
    url = f"/api/v1/{endpoint}/{record.reference}/"

    response = send(api, "patch", url, {field: {}}, etag=etag_of(api, url))

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert response.json()["errors"] == [
        {
            "field": field,
            "message": 'Expected a list of items but got type "dict".',
            "code": "not_a_list",
        }
    ]
    record.refresh_from_db()
    assert record.revision == 1


@pytest.mark.parametrize(
    ("endpoint", "make", "model", "create", "change"),
    [
        (
            "areas",
            None,
            RiskArea,
            {"register": "REG-A", "number": 4, "name": "Legacy", "statement": "R."},
            {"name": "Legacy systems"},
        ),
        (
            "subrisks",
            _subrisk,
            SubRisk,
            {"area": "REG-A/2", "statement": "R.", "likelihood": 1, "impact": 1},
            {"statement": "Changed."},
        ),
        (
            "factors",
            _factor,
            RiskFactor,
            {"area": "REG-A/2", "style": "bullet", "lead_in": "Such as:", "text": "X"},
            {"text": "Changed."},
        ),
        (
            "mitigations",
            _mitigation,
            Mitigation,
            {"area": "REG-A/2", "kind": "current", "text": "A control."},
            {"owner": "ELEXON"},
        ),
    ],
)
def test_every_write_appears_in_history_as_the_tokens_user(
    api, editor, area, endpoint, make, model, create, change
):
    created = send(api, "post", f"/api/v1/{endpoint}/", create)
    assert created.status_code == status.HTTP_201_CREATED, created.content
    url = f"/api/v1/{endpoint}/{created.json()['reference']}/"
    updated = send(api, "patch", url, change, etag=created["ETag"])
    assert updated.status_code == status.HTTP_200_OK, updated.content
    archived = send(api, "delete", url, etag=updated["ETag"])
    assert archived.status_code == status.HTTP_204_NO_CONTENT

    history = model.history.filter(reference=created.json()["reference"])

    assert [
        (record.history_type, record.revision, record.history_user)
        for record in history.order_by("history_date")
    ] == [("+", 1, editor), ("~", 2, editor), ("~", 3, editor)]
    assert history.first().archived_at is not None


# Who may write


def test_a_viewer_session_cannot_write(viewer_client, subrisk):
    response = send(
        viewer_client,
        "patch",
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"statement": "x", "revision": 1},
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_an_editor_session_can_write(editor_client, editor, subrisk):
    response = send(
        editor_client,
        "patch",
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"statement": "From the browser.", "revision": 1},
    )

    assert response.status_code == status.HTTP_200_OK
    assert subrisk.history.first().history_user == editor


def test_anonymous_writes_are_refused(client, subrisk):
    response = send(client, "delete", f"/api/v1/subrisks/{subrisk.reference}/")

    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_a_methodology_admin_cannot_edit_content(methodology_admin, subrisk):
    key = api_token_issue(
        ApiToken(user=methodology_admin, name="M", scope=ApiToken.Scope.READ_WRITE)
    )
    client = Client(headers={"authorization": f"Bearer {key}"})

    response = send(
        client,
        "patch",
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"statement": "x", "revision": 1},
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN


def test_a_revision_on_creation_is_an_unknown_field(api, area):
    response = send(
        api,
        "post",
        "/api/v1/factors/",
        {"area": "REG-A/2", "text": "A factor.", "revision": 1},
    )

    assert response.status_code == status.HTTP_400_BAD_REQUEST
    assert errors(response) == [("revision", "Unknown field.")]


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/subrisks/REG-A/2.a/", {"reviewed_on": "2024-01-10", "order": 3}),
        ("/api/v1/mitigations/REG-A/2/M1/", {"order": 2}),
    ],
)
def test_what_a_write_sets_can_be_read_back(api, subrisk, url, body):
    MitigationFactory(area=subrisk.area, text="Audit the installers.")

    written = send(api, "patch", url, body, etag=etag_of(api, url))
    read = api.get(url).json()

    assert written.status_code == status.HTTP_200_OK, written.content
    assert {name: written.json()[name] for name in body} == body
    assert {name: read[name] for name in body} == body
