import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from risks.models import MatrixCell, MethodologyVersion, SubRisk
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory
from tests.methodology.conftest import (
    editor_url,
    form_fields,
    open_editor,
    post_editor,
    preview_payload,
)
from tests.pages.conftest import squash, table_row

pytestmark = pytest.mark.django_db

EDITOR_PAGES = ["methodology-edit", "methodology-preview", "methodology-confirm"]


def ratings(register):
    return dict(
        SubRisk.objects.filter(area__register=register).values_list(
            "reference", "rating__name"
        )
    )


def confirm(client, register, payload, reason="A reason"):
    return client.post(
        editor_url(register, "methodology-confirm"),
        {"payload": payload, "reason": reason},
    )


# ---- Access -------------------------------------------------------------------


@pytest.mark.parametrize("name", EDITOR_PAGES)
def test_editor_pages_send_anonymous_visitors_to_login(client, name):
    register = RegisterFactory(reference="TEST-1")
    url = editor_url(register, name)

    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", EDITOR_PAGES)
@pytest.mark.parametrize("persona", ["viewer", "editor", "outsider"])
def test_editor_pages_refuse_everyone_but_methodology_admins(
    client, request, persona, name
):
    register = RegisterFactory(reference="TEST-1")
    client.force_login(request.getfixturevalue(persona))
    url = editor_url(register, name)

    for response in (client.get(url), client.post(url, {"action": "preview"})):
        assert response.status_code == 403
        assert "Only Methodology admins can change a register&#x27;s methodology." in (
            response.content.decode()
        )
    assert MethodologyVersion.objects.count() == 1


def test_preview_and_confirm_answer_get_with_405(admin_client):
    register = RegisterFactory(reference="TEST-1")

    for name in ("methodology-preview", "methodology-confirm"):
        assert admin_client.get(editor_url(register, name)).status_code == 405


def test_editor_of_an_unknown_register_is_not_found(admin_client):
    assert admin_client.get("/registers/NOPE/methodology/edit/").status_code == 404


def test_methodology_page_links_to_versions_and_only_admins_to_the_editor(
    admin_client, viewer_client_2
):
    register = RegisterFactory(reference="TEST-1")
    url = reverse("risks:methodology-detail", args=[register.reference])
    edit_link = '<a class="button" href="/registers/TEST-1/methodology/edit/">'

    admin_html = admin_client.get(url).content.decode()
    viewer_html = viewer_client_2.get(url).content.decode()

    assert edit_link in admin_html
    assert edit_link not in viewer_html
    for html in (admin_html, viewer_html):
        assert (
            '<a href="/registers/TEST-1/methodology/versions/">Versions and '
            "comparisons</a>" in html
        )


@pytest.fixture
def viewer_client_2(viewer):
    client = Client()
    client.force_login(viewer)
    return client


# ---- The editor -----------------------------------------------------------------


def test_editor_shows_the_stored_methodology_with_labelled_fields(
    admin_client, register_2017
):
    response = admin_client.get(editor_url(register_2017))

    html = response.content.decode()
    fields = form_fields(html, "/registers/SRR-2017/methodology/preview/")
    assert response.status_code == 200
    assert fields["name"] == "Likelihood x Settlement Impact"
    assert (fields["likelihood_count"], fields["impact_count"]) == ("5", "5")
    assert [fields[f"likelihood-{v}-label"] for v in range(1, 6)] == [
        "Very Low",
        "Low",
        "Medium",
        "High",
        "Very High",
    ]
    assert [fields[f"rating-{row}-name"] for row in range(1, 5)] == [
        "Low",
        "Medium",
        "High",
        "Very High",
    ]
    assert fields["rating-4-colour"] == "#c62828"
    assert fields["cell-3-4"] == "3"
    assert fields["cell-1-5"] == "1"
    assert len([name for name in fields if name.startswith("cell-")]) == 25
    assert (
        '<label for="id_cell-3-4" class="visually-hidden">Rating for likelihood 3 '
        "(Medium) and settlement impact 4 (High)</label>"
    ) in html
    assert (
        '<label for="id_rating-2-colour" class="visually-hidden">Rating level 2: '
        "colour</label>"
    ) in html
    assert "mapping" not in " ".join(fields)


def test_changing_the_number_of_levels_redraws_the_form_keeping_what_was_typed(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields.update(
        {
            "likelihood_count": "6",
            "impact_count": "4",
            "rating_count": "5",
            "likelihood-2-label": "Unlikely",
            "cell-5-4": "1",
        }
    )

    response = post_editor(admin_client, register_2017, fields, action="resize")

    html = response.content.decode()
    redrawn = form_fields(html, "/registers/SRR-2017/methodology/preview/")
    assert response.status_code == 200
    assert "The form now has 6 likelihood levels, 4 settlement impact levels and 5" in (
        html
    )
    assert redrawn["likelihood-2-label"] == "Unlikely"
    assert redrawn["likelihood-6-label"] == ""
    assert "impact-5-label" not in redrawn
    assert (redrawn["rating-5-rank"], redrawn["rating-5-colour"]) == ("5", "#6b7280")
    assert redrawn["cell-5-4"] == "1"
    assert redrawn["cell-6-1"] == ""
    assert "cell-1-5" not in redrawn
    assert redrawn["impact_mapping-5"] == ""
    assert "Move the 1 sub-risk on settlement impact level 5 (Very High) to" in html
    assert SubRisk.objects.get(reference="SRR-2017/5.a").impact.value == 5


def test_filling_the_grid_from_score_bands(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields.update({"bands-band-1": "1", "bands-band-2": "5", "bands-band-3": "10"})
    fields["bands-band-4"] = ""

    response = post_editor(admin_client, register_2017, fields, action="bands")

    html = response.content.decode()
    filled = form_fields(html, "/registers/SRR-2017/methodology/preview/")
    assert response.status_code == 200
    assert "The grid was filled from the score bands." in html
    expected = {
        (likelihood, impact): "3"
        if likelihood * impact >= 10
        else "2"
        if likelihood * impact >= 5
        else "1"
        for likelihood in range(1, 6)
        for impact in range(1, 6)
    }
    assert {
        (likelihood, impact): filled[f"cell-{likelihood}-{impact}"]
        for likelihood, impact in expected
    } == expected


def test_score_bands_start_from_each_ratings_lowest_score(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)

    assert [fields[f"bands-band-{row}"] for row in range(1, 5)] == [
        "1",
        "6",
        "12",
        "20",
    ]


def test_bands_that_do_not_start_at_one_are_refused(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields.update({"bands-band-1": "2"})

    response = post_editor(admin_client, register_2017, fields, action="bands")

    assert response.status_code == 400
    assert "Score bands: The lowest band must start at score 1." in (
        response.content.decode()
    )


def test_copying_another_registers_methodology_makes_it_the_proposal(
    admin_client, register_2017
):
    other = RegisterFactory(reference="OTHER")
    other.methodology.likelihood_levels.filter(value=1).update(label="Rare")
    other.methodology.rating_levels.filter(rank=1).update(name="Minor")
    fields = open_editor(admin_client, register_2017)
    fields["copy-register"] = "OTHER"

    response = post_editor(admin_client, register_2017, fields, action="copy")

    copied = form_fields(
        response.content.decode(), "/registers/SRR-2017/methodology/preview/"
    )
    assert response.status_code == 200
    assert (copied["likelihood-1-label"], copied["rating-1-name"]) == ("Rare", "Minor")
    assert copied["revision"] == str(register_2017.methodology.revision)
    assert "The methodology of OTHER is now the proposal." in response.content.decode()


def test_copying_an_unknown_register_is_refused(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields["copy-register"] = "NOPE"

    response = post_editor(admin_client, register_2017, fields, action="copy")

    assert response.status_code == 400
    assert (
        "Register to copy from: no live register has the reference &#x27;NOPE&#x27;."
        in response.content.decode()
    )


def test_an_unknown_editor_action_is_refused(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)

    response = post_editor(admin_client, register_2017, fields, action="explode")

    assert response.status_code == 400
    assert "The editor did not say what to do" in response.content.decode()


def test_invalid_input_is_listed_naming_each_field(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields.update(
        {
            "likelihood-2-label": "",
            "rating-3-colour": "orange",
            "rating-1-review_interval_days": "0",
            "cell-2-2": "9",
        }
    )

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    assert response.status_code == 400
    summary = re.search(r'id="editor-errors">(.*?)</div>', html, re.DOTALL).group(1)
    assert squash(summary).split(" The change")[0] == (
        "The change cannot be previewed yet "
        "Likelihood level 2: label: This field is required. "
        "Rating level 1: review interval in days: Ensure this value is greater "
        "than or equal to 1. "
        "Rating level 3: colour: Give the colour as #rrggbb, for example #c62828. "
        "Rating for likelihood 2 (level 2) and settlement impact 2 (Low): Cell 2 x 2: "
        "choose one of the rating levels."
    )
    assert '<a href="#id_rating-3-colour">' in summary
    assert MethodologyVersion.objects.count() == 1


@pytest.mark.parametrize("count", ["99", "2", "many"])
def test_a_tampered_number_of_levels_is_refused(admin_client, register_2017, count):
    fields = open_editor(admin_client, register_2017)
    fields["impact_count"] = count

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        f"Number of settlement impact levels: &#x27;{count}&#x27; is not a choice."
        in html
    )
    assert len(re.findall(r'<select name="cell-', html)) <= 49


def test_a_missing_cell_is_refused_with_the_matrix_named(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields["cell-4-2"] = ""

    response = post_editor(admin_client, register_2017, fields)

    assert response.status_code == 400
    assert "Matrix: Choose a rating for every cell; missing: 4 x 2." in (
        response.content.decode()
    )


def test_removing_a_used_level_without_mapping_is_refused_clearly(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields["likelihood_count"] = "4"

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    assert response.status_code == 400
    assert (
        "Likelihood level 5 (Very High) is used by 3 sub-risks: choose the level to "
        "move them to."
    ) in html
    assert '<select name="likelihood_mapping-5"' in html
    assert MethodologyVersion.objects.count() == 1


# ---- Preview ---------------------------------------------------------------------


def test_preview_lists_every_change_with_counts_and_writes_nothing(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ratings that would change (3)" in html
    rows = re.findall(r'<tr id="change-([^"]+)"', html)
    assert rows == ["3-a", "4-a", "7-a"]
    assert squash(table_row(html, "change-3-a")) == (
        "3.a The risk that the gaining Supplier is unable to successfully process "
        "Metered Data following a Change of Supplier (CoS). Medium becomes High"
    )
    assert squash(table_row(html, "change-7-a")) == (
        "7.a The risk that Metered Data is inaccurate or cannot be retrieved due "
        "to problems with DCC internal processes or the Supplier interface with "
        "the DCC. Medium becomes High"
    )
    assert squash(table_row(html, "change-4-a")).endswith("Medium becomes High")
    counts = re.search(r'id="rating-counts">(.*?)</table>', html, re.DOTALL).group(1)
    assert squash(counts).endswith("Low 6 6 Medium 6 3 High 1 4 Very High 0 0")
    assert "1 matrix cell changes rating." in html
    assert "Changed, was Medium" in html
    assert ratings(register_2017)["SRR-2017/3.a"] == "Medium"
    assert MethodologyVersion.objects.count() == 1


def test_preview_warns_about_a_non_monotonic_matrix(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields["cell-4-4"] = "1"

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    assert response.status_code == 200
    warnings = re.search(r'id="monotonic-warnings">(.*?)</div>', html, re.DOTALL)
    assert re.findall(r"<li>(.*?)</li>", warnings.group(1)) == [
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood 3 "
        "x impact 4.",
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood 4 "
        "x impact 3.",
    ]


def test_a_preview_after_someone_else_saved_asks_to_preview_again(
    admin_client, register_2017, methodology_admin
):
    fields = open_editor(admin_client, register_2017)
    other = open_editor(admin_client, register_2017)
    other["cell-1-1"] = "2"
    first = post_editor(admin_client, register_2017, other)
    confirm(admin_client, register_2017, preview_payload(first))
    fields["cell-3-3"] = "3"

    response = post_editor(admin_client, register_2017, fields)

    html = response.content.decode()
    kept = form_fields(html, "/registers/SRR-2017/methodology/preview/")
    assert response.status_code == 409
    assert "Someone saved a new methodology version (now version 2)" in html
    assert kept["cell-3-3"] == "3"
    assert kept["revision"] == "2"


# ---- Confirmation -------------------------------------------------------------------


def test_confirming_saves_exactly_the_preview_as_a_version(
    admin_client, register_2017, methodology_admin
):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"
    preview = post_editor(admin_client, register_2017, fields)
    listed = [row["reference"] for row in preview.context["changes"]]
    before = ratings(register_2017)

    response = confirm(
        admin_client, register_2017, preview_payload(preview), "Medium x Medium is High"
    )

    after = ratings(register_2017)
    assert response.status_code == 302
    assert response.url == "/registers/SRR-2017/methodology/versions/2/"
    assert sorted(ref for ref in after if after[ref] != before[ref]) == sorted(listed)
    version = MethodologyVersion.objects.get(version=2)
    assert (version.created_by, version.reason) == (
        methodology_admin,
        "Medium x Medium is High",
    )
    entry = SubRisk.objects.get(reference="SRR-2017/3.a").history.first()
    assert (
        entry.history_change_reason == "Methodology version 2: Medium x Medium is High"
    )
    assert (entry.rating.name, entry.methodology_version) == ("High", 2)


def test_confirming_needs_a_reason(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"
    preview = post_editor(admin_client, register_2017, fields)

    response = confirm(admin_client, register_2017, preview_payload(preview), "  ")

    assert response.status_code == 400
    assert (
        "Reason for the change: say why the methodology changes; it is recorded "
        "with the version."
    ) in response.content.decode()
    assert MethodologyVersion.objects.count() == 1


def test_confirming_after_the_methodology_changed_saves_nothing(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"
    mine = post_editor(admin_client, register_2017, fields)
    theirs = open_editor(admin_client, register_2017)
    theirs["cell-1-1"] = "2"
    confirm(
        admin_client,
        register_2017,
        preview_payload(post_editor(admin_client, register_2017, theirs)),
    )

    response = confirm(admin_client, register_2017, preview_payload(mine))

    html = response.content.decode()
    assert response.status_code == 409
    assert "Nothing was saved: the methodology has changed" in html
    assert "Someone saved methodology version 2 after your preview" in html
    assert MethodologyVersion.objects.count() == 2
    assert ratings(register_2017)["SRR-2017/3.a"] == "Medium"


def test_confirming_after_sub_risks_moved_shows_the_new_preview(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"
    preview = post_editor(admin_client, register_2017, fields)
    moved = SubRisk.objects.get(reference="SRR-2017/9.a")
    moved.impact = moved.impact.methodology.impact_levels.get(value=3)
    moved.likelihood = moved.likelihood.methodology.likelihood_levels.get(value=3)
    moved.save()

    response = confirm(admin_client, register_2017, preview_payload(preview))

    html = response.content.decode()
    assert response.status_code == 409
    assert "sub-risks were edited after your preview" in html
    assert "Ratings that would change (4)" in html
    assert MethodologyVersion.objects.count() == 1
    assert ratings(register_2017)["SRR-2017/3.a"] == "Medium"


def test_a_tampered_payload_is_refused(admin_client, register_2017):
    fields = open_editor(admin_client, register_2017)
    payload = preview_payload(post_editor(admin_client, register_2017, fields))

    response = confirm(admin_client, register_2017, payload[:-3] + "abc")

    assert response.status_code == 400
    assert "could not be read back; it may have been altered" in (
        response.content.decode()
    )
    assert MethodologyVersion.objects.count() == 1


def test_a_payload_for_another_register_is_refused(admin_client, register_2017):
    other = RegisterFactory(reference="OTHER")
    fields = open_editor(admin_client, register_2017)
    payload = preview_payload(post_editor(admin_client, register_2017, fields))

    response = confirm(admin_client, other, payload)

    assert response.status_code == 400
    assert "The previewed change belongs to another register." in (
        response.content.decode()
    )


def test_an_expired_payload_is_refused(admin_client, register_2017, monkeypatch):
    fields = open_editor(admin_client, register_2017)
    payload = preview_payload(post_editor(admin_client, register_2017, fields))
    monkeypatch.setattr("risks.views.methodology.PAYLOAD_MAX_AGE", -1)

    response = confirm(admin_client, register_2017, payload)

    assert response.status_code == 400
    assert "This preview is more than a day old" in response.content.decode()


def test_changing_the_proposal_from_the_preview_reopens_the_editor(
    admin_client, register_2017
):
    fields = open_editor(admin_client, register_2017)
    fields["cell-3-3"] = "3"
    payload = preview_payload(post_editor(admin_client, register_2017, fields))

    response = admin_client.post(
        editor_url(register_2017), {"payload": payload, "action": "edit"}
    )

    reopened = form_fields(
        response.content.decode(), "/registers/SRR-2017/methodology/preview/"
    )
    assert response.status_code == 200
    assert reopened["cell-3-3"] == "3"
    assert reopened["revision"] == "1"


def test_reopening_a_forged_proposal_is_refused(admin_client, register_2017):
    forged = signing.dumps({"register": "SRR-2017"}, salt="someone-else")

    response = admin_client.post(
        editor_url(register_2017), {"payload": forged, "action": "edit"}
    )

    assert response.status_code == 400
    assert (
        MatrixCell.objects.filter(methodology=register_2017.methodology).count() == 25
    )


def test_saving_a_used_level_removal_with_a_mapping_moves_the_sub_risks(
    admin_client,
):
    register = RegisterFactory(reference="TEST-1")
    subrisk = SubRiskFactory(
        area=RiskAreaFactory(register=register), likelihood_value=5, impact_value=2
    )
    fields = open_editor(admin_client, register)
    fields["likelihood_count"] = "4"
    redrawn = form_fields(
        post_editor(admin_client, register, fields, action="resize").content.decode(),
        "/registers/TEST-1/methodology/preview/",
    )
    redrawn["likelihood_mapping-5"] = "4"

    preview = post_editor(admin_client, register, redrawn)
    response = confirm(admin_client, register, preview_payload(preview), "Four rows")

    subrisk.refresh_from_db()
    assert preview.status_code == 200
    assert (
        "Sub-risks on likelihood level 5 (Very High) move to level 4 (High)."
        in preview.content.decode()
    )
    assert response.status_code == 302
    assert (subrisk.likelihood.value, subrisk.rating.name) == (4, "Medium")
    entry = subrisk.history.first()
    assert entry.history_change_reason == "Methodology version 2: Four rows"
    assert entry.likelihood_id == subrisk.likelihood_id
