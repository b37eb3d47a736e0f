import copy
import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from risks.document import methodology_to_document
from risks.methodology import MethodologyChange, methodology_apply
from risks.models import MethodologyVersion
from tests.factories import RegisterFactory, UserFactory
from tests.pages.conftest import squash, table_row

pytestmark = pytest.mark.django_db


def save_change(register, user, reason, edit):
    change = MethodologyChange.from_document(
        methodology_to_document(register.methodology), reason=reason
    )
    edit(change)
    methodology_apply(methodology=register.methodology, change=change, user=user)


@pytest.fixture
def versioned(db):
    """TEST-1 at version 3: cell 3 x 3 made High, then impact 1 relabelled and
    High reviewed every 30 days."""
    register = RegisterFactory(reference="TEST-1")
    admin = UserFactory(username="alice")

    def stricter(change):
        change.matrix[3, 3] = "High"

    def relabelled(change):
        change.impact_levels[0]["label"] = "Negligible"
        change.rating_levels[2]["review_interval_days"] = 30

    save_change(register, admin, "Medium x Medium is High", stricter)
    save_change(register, None, "", relabelled)
    MethodologyVersion.objects.filter(version=2).update(
        created_at=dt.datetime(2017, 5, 24, 13, 5, tzinfo=dt.UTC)
    )
    return register


def url(name, register, *args):
    return reverse(f"risks:{name}", args=[register.reference, *args])


@pytest.mark.parametrize(
    "name, args",
    [
        ("methodology-version-list", []),
        ("methodology-version-detail", [1]),
        ("methodology-compare", []),
    ],
)
def test_version_pages_are_for_readers_only(outsider_client, versioned, name, args):
    address = url(name, versioned, *args)

    assert Client().get(address).status_code == 302
    assert outsider_client.get(address).status_code == 403


def test_versions_list_who_when_and_why_newest_first(
    viewer_client, versioned, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = viewer_client.get(url("methodology-version-list", versioned))

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<tr id="version-(\d+)"', html) == ["3", "2", "1"]
    assert squash(table_row(html, "version-2")) == (
        "Version 2 alice 24 May 2017, 14:05 Medium x Medium is High With version 1"
    )
    assert squash(table_row(html, "version-3")).startswith(
        "Version 3 (current) Not recorded"
    )
    assert squash(table_row(html, "version-1")).endswith("Created –")


def test_versions_list_query_count_does_not_grow_with_versions(
    viewer_client, versioned, django_assert_max_num_queries
):
    for number in range(4, 14):
        MethodologyVersion.objects.create(
            methodology=versioned.methodology,
            version=number,
            created_by=UserFactory(),
            reason=f"Change {number}",
            snapshot=MethodologyVersion.objects.get(version=3).snapshot,
        )

    with django_assert_max_num_queries(6):
        response = viewer_client.get(url("methodology-version-list", versioned))

    assert len(re.findall(r'<tr id="version-', response.content.decode())) == 13


def test_version_page_shows_its_snapshot_not_the_current_state(
    viewer_client, versioned
):
    response = viewer_client.get(url("methodology-version-detail", versioned, 1))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Methodology version 1</h1>" in html
    assert "Replaced by version 3" in html
    cell = re.search(r'id="version-cell-3-3"[^>]*>(.*?)</td>', html, re.DOTALL)
    assert squash(cell.group(1)) == "Medium"
    assert "Very Low</th>" in html
    assert "Negligible" not in html
    assert (
        '<a href="/registers/TEST-1/methodology/compare/?from=1&amp;to=2">' not in html
    )


def test_an_unknown_version_is_not_found(viewer_client, versioned):
    assert (
        viewer_client.get("/registers/TEST-1/methodology/versions/9/").status_code
        == 404
    )
    assert (
        viewer_client.get("/registers/TEST-1/methodology/versions/x/").status_code
        == 404
    )


def test_compare_marks_changed_cells_in_text_and_lists_level_changes(
    viewer_client, versioned
):
    response = viewer_client.get(
        url("methodology-compare", versioned), {"from": 1, "to": 3}
    )

    html = response.content.decode()
    assert response.status_code == 200
    differences = re.search(r'<ul class="differences">(.*?)</ul>', html, re.DOTALL)
    assert re.findall(r"<li>(.*?)</li>", differences.group(1)) == [
        "Settlement impact level 1: label “Very Low” becomes “Negligible”.",
        "Rating level rank 3 (High): review interval not set becomes 30 days.",
        "1 matrix cell changes rating.",
    ]
    old_cell = re.search(r'id="old-cell-3-3"[^>]*>(.*?)</td>', html, re.DOTALL)
    new_cell = re.search(r'id="new-cell-3-3"[^>]*>(.*?)</td>', html, re.DOTALL)
    assert squash(old_cell.group(1)) == "Medium Changes to High"
    assert squash(new_cell.group(1)) == "High Changed, was Medium"
    assert 'class="matrix__cell matrix__cell--changed" id="new-cell-3-3"' in html
    assert 'class="matrix__cell" id="new-cell-3-4"' in html
    assert squash(
        re.search(r'id="changed-cells">(.*?)</table>', html, re.DOTALL).group(1)
    ).endswith("3 x 3 Medium High")


def test_compare_defaults_to_the_last_two_versions(viewer_client, versioned):
    response = viewer_client.get(url("methodology-compare", versioned))

    html = response.content.decode()
    assert response.status_code == 200
    assert "From version 2 to version 3" in html
    assert '<option value="2" selected>Version 2</option>' in html


def test_compare_with_a_single_version_says_so(viewer_client):
    register = RegisterFactory(reference="TEST-1")

    response = viewer_client.get(url("methodology-compare", register))

    assert response.status_code == 200
    assert "There is only one version so far" in response.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"from": 1, "to": 9}, "To version: there is no version &#x27;9&#x27;"),
        ({"from": "x", "to": 2}, "From version: there is no version &#x27;x&#x27;"),
        ({"to": 2}, "From version: choose a version."),
    ],
)
def test_compare_refuses_unknown_versions_naming_the_field(
    viewer_client, versioned, params, message
):
    response = viewer_client.get(url("methodology-compare", versioned), params)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_version_snapshots_survive_later_changes(versioned):
    snapshot = copy.deepcopy(MethodologyVersion.objects.get(version=2).snapshot)

    assert {"likelihood": 3, "impact": 3, "rating": "High"} in snapshot["matrix"]
    assert snapshot["impact_levels"][0]["label"] == "Very Low"
