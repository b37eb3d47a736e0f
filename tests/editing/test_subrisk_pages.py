import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse

from risks.models import SubRisk
from risks.services import record_update
from tests.editing.conftest import form_data, hidden_inputs, page_text

pytestmark = pytest.mark.django_db


def edit_url(area, key="b"):
    return reverse(
        "risks:subrisk-edit", args=[area.register.reference, area.number, key]
    )


def create_url(area):
    return reverse("risks:subrisk-create", args=[area.register.reference, area.number])


def test_edit_page_shows_the_fields_the_stored_rating_and_the_revision(
    editor_client, area
):
    response = editor_client.get(edit_url(area))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Edit sub-risk TEST-1/2.b</h1>" in html
    assert '<input type="hidden" name="revision" value="1" id="id_revision">' in html
    assert '<label for="id_likelihood">Likelihood' in html
    assert '<option value="2" selected>2 – Low</option>' in html
    assert '<option value="4" selected>4 – High</option>' in html
    assert 'data-rating="likelihood"' in html
    assert 'data-rating-preview="/registers/TEST-1/rating-preview/"' in html
    assert "Medium</span>" in html
    assert '<script src="/static/js/rating-preview.js" defer></script>' in html
    assert '<button type="submit" class="button button--quiet" name="preview"' in html


def test_saving_stores_the_matrix_rating_and_records_the_editor(
    editor_client, editor, area
):
    data = form_data(editor_client.get(edit_url(area)))
    data["likelihood"] = ["5"]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/2/#subrisk-b"
    subrisk = SubRisk.objects.get(area=area, key="b")
    assert (subrisk.likelihood.value, subrisk.rating.name, subrisk.revision) == (
        5,
        "Very High",
        2,
    )
    record = subrisk.history.first()
    assert record.history_user == editor
    assert record.diff_against(record.prev_record).changed_fields == [
        "likelihood",
        "rating",
        "revision",
    ]
    page = editor_client.get(response.url)
    assert "Saved sub-risk TEST-1/2.b." in page_text(page)


def test_preview_button_shows_the_rating_without_saving(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data |= {"likelihood": ["5"], "impact": ["5"], "preview": ["1"]}

    response = editor_client.post(edit_url(area), data)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'data-rating-output aria-live="polite">' in html
    output = html.split("data-rating-output", 1)[1].split("</span></span>")[0]
    assert ">Very High" in output
    assert '<option value="5" selected>5 – Very High</option>' in html
    subrisk = SubRisk.objects.get(area=area, key="b")
    assert (subrisk.likelihood.value, subrisk.revision) == (2, 1)


def test_preview_with_a_missing_level_is_refused_naming_the_field(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data |= {"likelihood": [""], "preview": ["1"]}

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Likelihood: This field is required." in page_text(response)
    assert "Not rated yet" in page_text(response)


def test_errors_name_the_field_and_keep_what_was_typed(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data |= {
        "statement": [""],
        "rating_label": ["<script>alert('x')</script> label"],
        "impact": ["9"],
        "order": ["-1"],
    }

    response = editor_client.post(edit_url(area), data)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "3 problems to fix before saving" in page_text(response)
    summary = html.split('id="error-summary"', 1)[1].split("</ul>")[0]
    assert '<a href="#id_statement">Description: This field is required.</a>' in (
        summary
    )
    assert (
        '<a href="#id_impact">Settlement impact: Choose a settlement impact of this '
        "register&#x27;s scale.</a>"
    ) in summary
    assert (
        '<a href="#id_order">Order: Ensure this value is greater than or equal to '
        "0.</a>"
    ) in summary
    assert 'value="&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; label"' in html
    assert "<script>alert" not in html
    assert 'name="order" value="-1"' in html
    assert 'aria-invalid="true"' in html
    assert SubRisk.objects.get(area=area, key="b").revision == 1


def test_a_future_review_date_is_refused_naming_the_field(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data["reviewed_on"] = ["2999-01-01"]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Last reviewed on: Last reviewed on cannot be in the future; give the date "
        "of the review, today or before." in page_text(response)
    )
    assert SubRisk.objects.get(area=area, key="b").reviewed_on is None


def test_the_api_shares_the_future_review_date_rule(area):
    from django.core.exceptions import ValidationError

    subrisk = SubRisk.objects.get(area=area, key="b")
    subrisk.reviewed_on = datetime.date(2999, 1, 1)

    with pytest.raises(ValidationError) as error:
        subrisk.full_clean()

    assert error.value.message_dict["reviewed_on"] == [
        "Last reviewed on cannot be in the future; give the date of the review, "
        "today or before."
    ]


def test_create_page_adds_a_subrisk_with_the_next_key_and_order(
    editor_client, editor, area
):
    data = form_data(editor_client.get(create_url(area)))
    assert data["order"] == ["3"]
    data |= {
        "statement": ["Meters are installed late.\n\n- in the north\n- in the south"],
        "likelihood": ["3"],
        "impact": ["4"],
    }

    response = editor_client.post(create_url(area), data)

    assert response.status_code == HTTPStatus.FOUND
    created = SubRisk.objects.get(area=area, key="c")
    assert (created.reference, created.rating.name, created.order) == (
        "TEST-1/2.c",
        "High",
        3,
    )
    assert created.history.get().history_user == editor
    page = editor_client.get(response.url).content.decode()
    assert "<ul>\n<li>in the north</li>\n<li>in the south</li>\n</ul>" in page


def test_narrative_markup_is_sanitised_on_the_read_page(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data["statement"] = ['<img src=x onerror="alert(1)">Plain <b>bold</b> text']
    data["rating_label"] = [""]

    editor_client.post(edit_url(area), data)

    page = editor_client.get(area.get_absolute_url()).content.decode()
    assert "<img" not in page
    assert "<b>" not in page
    assert (
        '<p>&lt;img src=x onerror="alert(1)"&gt;Plain &lt;b&gt;bold&lt;/b&gt; '
        "text</p>" in page
    )


def test_saving_over_someone_elses_change_shows_both_versions(
    editor_client, area, second_editor_client
):
    mine = form_data(editor_client.get(edit_url(area)))
    theirs = form_data(second_editor_client.get(edit_url(area)))
    theirs["statement"] = ["Their statement."]
    assert second_editor_client.post(edit_url(area), theirs).status_code == 302
    mine |= {"statement": ["My statement."], "likelihood": ["3"]}

    response = editor_client.post(edit_url(area), mine)

    text = page_text(response)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Someone else saved a change while you were working" in text
    assert "Sub-risk TEST-1/2.b" in text
    assert "Saved by editor-two on" in text
    assert "Description differs Their statement. My statement." in text
    assert "Likelihood differs Low Medium" in text
    assert "Settlement impact High High" in text
    assert (
        f'<a class="button button--quiet" href="{edit_url(area)}">Take theirs</a>'
        in (response.content.decode())
    )
    subrisk = SubRisk.objects.get(area=area, key="b")
    assert (subrisk.statement, subrisk.revision) == ("Their statement.", 2)


def test_keep_mine_saves_my_values_against_the_new_revision(
    editor_client, editor, area
):
    mine = form_data(editor_client.get(edit_url(area)))
    subrisk = SubRisk.objects.get(area=area, key="b")
    record_update(
        instance=subrisk, user=None, revision=1, fields={"statement": "Theirs."}
    )
    mine["statement"] = ["Mine."]
    conflict = editor_client.post(edit_url(area), mine)
    resubmitted = hidden_inputs(conflict)
    assert resubmitted["revision"] == ["2"]
    assert resubmitted["statement"] == ["Mine."]

    response = editor_client.post(edit_url(area), resubmitted)

    assert response.status_code == HTTPStatus.FOUND
    subrisk.refresh_from_db()
    assert (subrisk.statement, subrisk.revision) == ("Mine.", 3)
    assert subrisk.history.first().history_user == editor


def test_edit_form_without_its_revision_is_refused(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    del data["revision"]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Revision: The form lost the version it was opened at; reload the page."
        in page_text(response)
    )


@pytest.mark.parametrize("revision", ["x", "0", "99999999999999999999"])
def test_edit_form_with_a_bad_revision_is_refused(editor_client, area, revision):
    data = form_data(editor_client.get(edit_url(area)))
    data["revision"] = [revision]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code in (HTTPStatus.BAD_REQUEST, HTTPStatus.CONFLICT)
    assert SubRisk.objects.get(area=area, key="b").revision == 1


@pytest.mark.parametrize(
    "url",
    [
        "/registers/TEST-1/areas/2/subrisks/zz/edit/",
        "/registers/TEST-1/areas/9/subrisks/a/edit/",
        "/registers/TEST-1/areas/9/subrisks/new/",
        "/registers/NOPE/areas/2/subrisks/a/edit/",
    ],
)
def test_unknown_subrisk_area_or_register_is_not_found(editor_client, area, url):
    assert editor_client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert editor_client.post(url, {}).status_code == HTTPStatus.NOT_FOUND


def test_archived_subrisk_cannot_be_edited(editor_client, area):
    from django.utils import timezone

    SubRisk.objects.filter(area=area, key="b").update(archived_at=timezone.now())

    assert editor_client.get(edit_url(area)).status_code == HTTPStatus.NOT_FOUND
