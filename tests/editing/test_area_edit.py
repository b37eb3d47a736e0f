import re
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mitigations.models import Mitigation
from risks.forms import SubRiskForm
from risks.models import RiskArea, RiskFactor, SubRisk
from risks.services import record_archive
from tests.editing.conftest import form_data, hidden_inputs, page_text
from tests.factories import (
    MitigationFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db


def edit_url(area):
    return reverse("risks:area-edit", args=[area.register.reference, area.number])


def field_name(data, prefix, key_field, value):
    """The posted name prefix (e.g. `subrisks-1`) of the row whose field has value."""
    for name, values in data.items():
        if name.startswith(prefix) and name.endswith(f"-{key_field}"):
            if values == [str(value)]:
                return name.rsplit("-", 1)[0]
    raise AssertionError(f"no {prefix} row with {key_field}={value}")


def rows(area):
    subrisks = {s.key: s for s in SubRisk.objects.filter(area=area)}
    factors = {f.key: f for f in RiskFactor.objects.filter(area=area)}
    mitigations = {m.key: m for m in Mitigation.objects.filter(area=area)}
    return subrisks, factors, mitigations


def test_edit_page_shows_the_area_and_every_live_row_with_a_blank_one(
    editor_client, area
):
    SubRiskFactory(area=area, archived_at=timezone.now(), statement="Gone.")

    response = editor_client.get(edit_url(area))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Edit Installation</h1>" in html
    assert 'name="subrisks-TOTAL_FORMS" value="3"' in html
    assert 'name="subrisks-INITIAL_FORMS" value="2"' in html
    assert 'name="factors-TOTAL_FORMS" value="2"' in html
    assert 'name="mitigations-TOTAL_FORMS" value="3"' in html
    assert "<legend>Sub-risk 2.a</legend>" in html
    assert "<legend>Sub-risk 2.b</legend>" in html
    assert "<legend>New sub-risk</legend>" in html
    assert "Gone." not in html
    assert "<legend>Risk factor F1</legend>" in html
    assert "<legend>Mitigation M2</legend>" in html
    assert 'name="subrisks-0-archive"' in html
    assert 'name="subrisks-2-archive"' not in html
    assert 'name="subrisks-2-order" value="3"' in html
    assert 'name="initial-subrisks-0-statement" value="Visits are aborted."' in html
    assert "<template data-formset-template>" in html
    assert '<script src="/static/js/formset-rows.js" defer></script>' in html


def test_edit_page_reads_in_fixed_queries_whatever_the_rows(
    editor_client, area, django_assert_max_num_queries
):
    big = RiskAreaFactory(register=area.register, number=3)
    for _ in range(12):
        subrisk = SubRiskFactory(area=big)
        RiskFactorFactory(area=big)
        MitigationFactory(area=big).subrisks.add(subrisk)
    editor_client.get(edit_url(area))

    with django_assert_max_num_queries(22):
        small = editor_client.get(edit_url(area))
    with django_assert_max_num_queries(22):
        response = editor_client.get(edit_url(big))

    assert small.status_code == response.status_code == HTTPStatus.OK
    # 36 rows, a blank one for each kind, and each kind's template for more.
    assert response.content.decode().count('<fieldset class="edit-row"') == 42


def test_save_all_writes_the_area_and_its_rows_as_the_editor(
    editor_client, editor, area
):
    data = form_data(editor_client.get(edit_url(area)))
    a = field_name(data, "subrisks", "order", 1)
    data |= {
        "name": ["Installation and visits"],
        f"{a}-impact": ["5"],
        "subrisks-2-statement": ["Meters are fitted to the wrong premises."],
        "subrisks-2-likelihood": ["2"],
        "subrisks-2-impact": ["5"],
        "factors-0-text": ["Installers are very scarce."],
        "factors-1-text": ["Weather delays visits."],
        "mitigations-1-archive": ["on"],
    }
    before = timezone.now()

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/2/"
    area.refresh_from_db()
    subrisks, factors, mitigations = rows(area)
    assert (area.name, area.revision) == ("Installation and visits", 2)
    assert (subrisks["a"].rating.name, subrisks["a"].revision) == ("Very High", 2)
    assert (subrisks["b"].revision, subrisks["c"].rating.name) == (1, "Medium")
    assert subrisks["c"].order == 3
    assert factors["F1"].text == "Installers are very scarce."
    assert (factors["F2"].text, factors["F2"].order) == ("Weather delays visits.", 2)
    assert mitigations["M2"].is_archived
    assert mitigations["M1"].revision == 1
    changed = [
        record
        for model in (RiskArea, SubRisk, RiskFactor, Mitigation)
        for record in model.history.filter(history_date__gte=before)
    ]
    assert sorted((str(r.instance), r.history_type) for r in changed) == [
        ("2. Installation and visits", "~"),
        ("TEST-1/2.a", "~"),
        ("TEST-1/2.c", "+"),
        ("TEST-1/2/F1", "~"),
        ("TEST-1/2/F2", "+"),
        ("TEST-1/2/M2", "~"),
    ]
    assert {record.history_user for record in changed} == {editor}
    assert "Saved risk area 2." in page_text(editor_client.get(response.url))


def test_a_bad_subrisk_row_rolls_back_the_whole_area_save(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    b = field_name(data, "subrisks", "order", 2)
    data |= {
        "name": ["Renamed"],
        "factors-0-text": ["Changed factor."],
        f"{b}-statement": [""],
        f"{b}-likelihood": ["5"],
    }

    response = editor_client.post(edit_url(area), data)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        f'<a href="#id_{b}-statement">Sub-risk b – Description: This field is '
        "required.</a>"
    ) in html
    assert 'value="Renamed"' in html
    assert "Changed factor.</textarea>" in html
    assert '<option value="5" selected>5 – Very High</option>' in html
    area.refresh_from_db()
    subrisks, factors, _ = rows(area)
    assert (area.name, area.revision) == ("Installation", 1)
    assert factors["F1"].text == "Installers are scarce."
    assert subrisks["b"].likelihood.value == 2


def test_a_row_refused_by_the_service_is_marked_and_nothing_saved(
    editor_client, area, monkeypatch
):
    from risks.views import area_edit

    def refuse(**kwargs):
        raise ValidationError(
            {
                "subrisks.0.statement": ["Say what could go wrong."],
                "name": ["Names must be unique."],
            }
        )

    monkeypatch.setattr(area_edit, "area_save", refuse)
    data = form_data(editor_client.get(edit_url(area)))
    data |= {"name": ["Renamed"], "subrisks-0-statement": ["Changed."]}

    response = editor_client.post(edit_url(area), data)

    text = page_text(response)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Sub-risk a – Description: Say what could go wrong." in text
    assert "Name: Names must be unique." in text


def test_preview_ratings_shows_each_rows_rating_without_saving(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    a = field_name(data, "subrisks", "order", 1)
    data |= {f"{a}-impact": ["5"], "preview": ["1"]}

    response = editor_client.post(edit_url(area), data)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    output = html.split(f'id="{a}-rating"', 1)[1].split("</span></span>")[0]
    assert ">Very High" in output
    assert SubRisk.objects.get(area=area, key="a").impact.value == 1


def test_two_editors_at_once_the_second_sees_a_conflict_and_keeps_theirs(
    editor_client, second_editor_client, editor, area
):
    first = form_data(editor_client.get(edit_url(area)))
    second = form_data(second_editor_client.get(edit_url(area)))
    a = field_name(first, "subrisks", "order", 1)
    first[f"{a}-likelihood"] = ["2"]
    second |= {
        f"{a}-statement": ["Visits are aborted by customers."],
        "factors-0-text": ["Installers are scarce in the north."],
    }
    assert editor_client.post(edit_url(area), first).status_code == HTTPStatus.FOUND

    response = second_editor_client.post(edit_url(area), second)

    text = page_text(response)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Sub-risk TEST-1/2.a" in text
    assert "Saved by editor on" in text
    assert (
        "Description yours is saved Visits are aborted. Visits are aborted by "
        "customers." in text
    )
    assert "Likelihood kept: theirs Low High" in text
    assert "Risk factor" not in text
    labels = re.findall(r'<th scope="row">([^<]+)', response.content.decode())
    assert [label.strip() for label in labels] == [
        "Description",
        "Rating label",
        "Likelihood",
        "Settlement impact",
        "Order",
        "Last reviewed on",
    ]
    assert SubRiskForm.Meta.fields == [
        "statement",
        "rating_label",
        "likelihood",
        "impact",
        "order",
        "reviewed_on",
    ]
    subrisks, factors, _ = rows(area)
    assert subrisks["a"].statement == "Visits are aborted."
    assert factors["F1"].text == "Installers are scarce."

    resubmitted = hidden_inputs(response)
    assert resubmitted[f"{a}-revision"] == ["2"]
    assert resubmitted["factors-0-revision"] == ["1"]
    kept = second_editor_client.post(edit_url(area), resubmitted)

    assert kept.status_code == HTTPStatus.FOUND
    subrisks, factors, _ = rows(area)
    assert subrisks["a"].statement == "Visits are aborted by customers."
    assert subrisks["a"].likelihood.value == 2
    assert subrisks["a"].revision == 3
    assert factors["F1"].text == "Installers are scarce in the north."
    users = [r.history_user.username for r in subrisks["a"].history.all()[:2]]
    assert users == ["editor-two", "editor"]


def test_keep_mine_applies_only_my_changes_and_keeps_the_other_editors(
    editor_client, second_editor_client, area
):
    first = form_data(editor_client.get(edit_url(area)))
    second = form_data(second_editor_client.get(edit_url(area)))
    a = field_name(first, "subrisks", "order", 1)
    first |= {"market_impact": ["Prices rise."], f"{a}-likelihood": ["2"]}
    second |= {"rating_commentary": ["Rated in May."], f"{a}-impact": ["5"]}
    assert editor_client.post(edit_url(area), first).status_code == HTTPStatus.FOUND

    response = second_editor_client.post(edit_url(area), second)

    text = page_text(response)
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Market impact kept: theirs Prices rise. —" in text
    assert "Rating commentary yours is saved — Rated in May." in text
    assert "Likelihood kept: theirs Low High" in text
    assert "Settlement impact yours is saved Very Low Very High" in text
    assert "changed by both" not in text

    kept = second_editor_client.post(edit_url(area), hidden_inputs(response))

    assert kept.status_code == HTTPStatus.FOUND
    area.refresh_from_db()
    subrisk = SubRisk.objects.get(area=area, key="a")
    assert (area.market_impact, area.rating_commentary) == (
        "Prices rise.",
        "Rated in May.",
    )
    assert (subrisk.likelihood.value, subrisk.impact.value) == (2, 5)
    assert (area.revision, subrisk.revision) == (3, 3)


def test_a_field_both_editors_changed_is_marked_as_the_conflict(
    editor_client, second_editor_client, area
):
    first = form_data(editor_client.get(edit_url(area)))
    second = form_data(second_editor_client.get(edit_url(area)))
    first |= {"name": ["Their name"], "group": ["Their group"]}
    second["name"] = ["My name"]
    editor_client.post(edit_url(area), first)

    response = second_editor_client.post(edit_url(area), second)

    text = page_text(response)
    assert "Name changed by both: yours is saved Their name My name" in text
    assert "Group kept: theirs Their group" in text
    kept = second_editor_client.post(edit_url(area), hidden_inputs(response))
    assert kept.status_code == HTTPStatus.FOUND
    area.refresh_from_db()
    assert (area.name, area.group) == ("My name", "Their group")


def test_take_theirs_reloads_the_saved_version(
    editor_client, second_editor_client, area
):
    second = form_data(second_editor_client.get(edit_url(area)))
    first = form_data(editor_client.get(edit_url(area)))
    first["name"] = ["Their name"]
    editor_client.post(edit_url(area), first)
    second["name"] = ["My name"]
    conflict = second_editor_client.post(edit_url(area), second)
    assert f'href="{edit_url(area)}">Take theirs</a>' in conflict.content.decode()

    reloaded = second_editor_client.get(edit_url(area))

    assert form_data(reloaded)["name"] == ["Their name"]
    assert form_data(reloaded)["revision"] == ["2"]


def test_two_editors_changing_different_rows_both_save(
    editor_client, second_editor_client, area
):
    first = form_data(editor_client.get(edit_url(area)))
    second = form_data(second_editor_client.get(edit_url(area)))
    first["factors-0-text"] = ["First editor's factor."]
    b = field_name(second, "subrisks", "order", 2)
    second[f"{b}-impact"] = ["5"]

    assert editor_client.post(edit_url(area), first).status_code == HTTPStatus.FOUND
    response = second_editor_client.post(edit_url(area), second)

    assert response.status_code == HTTPStatus.FOUND
    subrisks, factors, _ = rows(area)
    assert factors["F1"].text == "First editor's factor."
    assert subrisks["b"].rating.name == "Medium"
    assert subrisks["b"].impact.value == 5


def test_changing_a_row_someone_archived_meanwhile_is_a_conflict(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    record_archive(instance=RiskFactor.objects.get(area=area), user=None)
    data["factors-0-text"] = ["Still relevant."]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.CONFLICT
    assert "It has been archived since you opened it." in page_text(response)
    assert RiskFactor.objects.get(area=area).text == "Installers are scarce."


def test_a_row_of_another_area_is_refused(editor_client, area):
    stranger = RiskFactorFactory(area=RiskAreaFactory(register=area.register))
    data = form_data(editor_client.get(edit_url(area)))
    data |= {"factors-0-id": [str(stranger.pk)], "factors-0-text": ["Hijacked."]}

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This row is no longer part of the area." in page_text(response)
    stranger.refresh_from_db()
    assert stranger.text != "Hijacked."
    assert RiskFactor.objects.filter(text="Hijacked.").count() == 0


def test_a_mitigation_cannot_address_another_areas_subrisk(editor_client, area):
    stranger = SubRiskFactory(area=RiskAreaFactory(register=area.register))
    data = form_data(editor_client.get(edit_url(area)))
    data["mitigations-0-subrisks"] = [str(stranger.pk)]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Sub-risks addressed: Select a valid choice." in page_text(response)


def test_a_proposal_without_a_status_is_refused_by_the_model_rule(editor_client, area):
    data = form_data(editor_client.get(edit_url(area)))
    data |= {
        "mitigations-2-kind": ["proposed"],
        "mitigations-2-text": ["Check every meter."],
        "mitigations-2-status": [""],
    }

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "New mitigation (row 3) – Status: Give the proposal's status." in page_text(
        response
    ).replace("&#x27;", "'")
    assert Mitigation.objects.filter(area=area).count() == 2


@pytest.mark.parametrize(
    "tamper",
    [
        {"subrisks-TOTAL_FORMS": ["x"]},
        {"factors-INITIAL_FORMS": []},
        {"mitigations-0-order": ["many"]},
        {"revision": ["abc"]},
        {"see_also": ["999999"]},
    ],
)
def test_tampered_posts_are_refused_with_a_400(editor_client, area, tamper):
    data = form_data(editor_client.get(edit_url(area)))
    data |= tamper
    data = {name: values for name, values in data.items() if values}

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    area.refresh_from_db()
    assert area.revision == 1


def test_archived_area_has_no_edit_page(editor_client, area):
    RiskArea.objects.filter(pk=area.pk).update(archived_at=timezone.now())

    assert editor_client.get(edit_url(area)).status_code == HTTPStatus.NOT_FOUND


def test_a_clash_at_the_database_is_refused_without_a_server_error(
    editor_client, area, monkeypatch
):
    from django.db import IntegrityError

    from risks.views import area_edit

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(area_edit, "area_save", clash)
    data = form_data(editor_client.get(edit_url(area)))
    data["subrisks-2-statement"] = ["A new one."]
    data |= {"subrisks-2-likelihood": ["1"], "subrisks-2-impact": ["1"]}

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Someone saved a clashing change at the same moment" in page_text(response)
    assert "A new one.</textarea>" in response.content.decode()


def test_text_posted_with_crlf_is_stored_with_lf_and_untouched_text_is_unchanged(
    editor_client, area
):
    area.statement = "Installation goes wrong.\n\n- Visits fail."
    area.save()
    data = form_data(editor_client.get(edit_url(area)))
    # A browser posts every textarea's line endings as CRLF.
    data = {
        name: [value.replace("\n", "\r\n") for value in values]
        for name, values in data.items()
    }
    data["name"] = ["Installation and visits"]
    data["market_impact"] = ["Prices rise.\r\rSuppliers pay.\r\n"]

    response = editor_client.post(edit_url(area), data)

    assert response.status_code == HTTPStatus.FOUND
    area.refresh_from_db()
    record = area.history.first()
    assert sorted(record.diff_against(record.prev_record).changed_fields) == [
        "market_impact",
        "name",
        "revision",
    ]
    assert area.statement == "Installation goes wrong.\n\n- Visits fail."
    assert area.market_impact == "Prices rise.\n\nSuppliers pay."
    assert SubRisk.objects.get(area=area, key="a").revision == 1


def test_the_write_path_stores_text_with_lf_for_the_api_and_imports(editor, area):
    from risks.services import record_create, record_update

    factor = record_create(
        model=RiskFactor,
        user=editor,
        fields={"area": area, "order": 5, "text": "One.\r\nTwo.\rThree."},
    )
    updated = record_update(
        instance=area,
        user=editor,
        revision=1,
        fields={"statement": "First.\r\n\r\nSecond."},
    )

    assert factor.text == "One.\nTwo.\nThree."
    assert updated.statement == "First.\n\nSecond."
