"""The single-record pages: areas, risk factors, mitigations and lessons."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from mitigations.models import Mitigation
from risks.models import Lesson, RiskArea, RiskFactor
from risks.services import record_update
from tests.editing.conftest import form_data, hidden_inputs, page_text
from tests.factories import LessonFactory, LessonSourceFactory, RiskAreaFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"risks:{name}", args=["TEST-1", *args])


# ---- Areas ---------------------------------------------------------------------


def test_create_area_offers_the_next_number_and_saves_with_history(
    editor_client, editor, area
):
    RiskAreaFactory(register=area.register, number=7, archived_at=timezone.now())
    data = form_data(editor_client.get(url("area-create")))
    assert data["number"] == ["8"]
    data |= {
        "name": ["Smart meter firmware"],
        "statement": ["The risk that firmware updates fail."],
        "see_also": [str(area.pk)],
    }

    response = editor_client.post(url("area-create"), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/8/"
    created = RiskArea.objects.get(number=8)
    assert (created.reference, created.name) == ("TEST-1/8", "Smart meter firmware")
    assert list(created.see_also.all()) == [area]
    assert {record.history_user for record in created.history.all()} == {editor}
    assert "Added risk area TEST-1/8." in page_text(editor_client.get(response.url))


def test_create_area_refuses_a_number_in_use_naming_it(editor_client, area):
    data = form_data(editor_client.get(url("area-create")))
    data |= {"number": ["2"], "name": ["Twice"], "statement": ["Again."]}

    response = editor_client.post(url("area-create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Number: This register already has an area 2." in page_text(response)
    assert 'value="Twice"' in response.content.decode()
    assert RiskArea.objects.count() == 1


def test_create_area_refuses_bad_input_naming_each_field(editor_client, area):
    response = editor_client.post(
        url("area-create"), {"number": "zero", "name": "", "see_also": ["x"]}
    )

    text = page_text(response)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Number: Enter a whole number." in text
    assert "Name: This field is required." in text
    assert "Description: This field is required." in text
    assert "See also: “x” is not a valid value." in text


# ---- Risk factors --------------------------------------------------------------


def test_factor_edit_saves_and_goes_back_to_the_factor(editor_client, area):
    data = form_data(editor_client.get(url("factor-edit", 2, "F1")))
    data |= {
        "style": ["bullet"],
        "lead_in": ["Issues include:"],
        "text": ["Installers are scarce."],
    }

    response = editor_client.post(url("factor-edit", 2, "F1"), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/2/#factor-F1"
    factor = RiskFactor.objects.get(area=area)
    assert (factor.style, factor.lead_in, factor.revision) == (
        "bullet",
        "Issues include:",
        2,
    )


def test_factor_edit_records_no_change_for_untouched_text_posted_with_crlf(
    editor_client, area
):
    factor = RiskFactor.objects.get(area=area)
    factor.text = "Installers are scarce.\n\n- In the north."
    factor.save()
    data = form_data(editor_client.get(url("factor-edit", 2, "F1")))
    data["text"] = [data["text"][0].replace("\n", "\r\n")]
    data["lead_in"] = ["Issues include:"]

    response = editor_client.post(url("factor-edit", 2, "F1"), data)

    assert response.status_code == HTTPStatus.FOUND
    factor.refresh_from_db()
    record = factor.history.first()
    assert record.diff_against(record.prev_record).changed_fields == [
        "lead_in",
        "revision",
    ]
    assert factor.text == "Installers are scarce.\n\n- In the north."


def test_factor_create_refuses_an_unknown_style(editor_client, area):
    data = form_data(editor_client.get(url("factor-create", 2)))
    data |= {"style": ["poem"], "text": ["Roses are red."]}

    response = editor_client.post(url("factor-create", 2), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Style: Select a valid choice. poem is not one of the available choices."
        in page_text(response)
    )
    assert "Roses are red.</textarea>" in response.content.decode()


# ---- Mitigations ---------------------------------------------------------------


def test_mitigation_create_saves_a_proposal_with_owner_due_date_and_subrisks(
    editor_client, editor, area
):
    data = form_data(editor_client.get(url("mitigation-create", 2)))
    b = area.subrisks.get(key="b")
    data |= {
        "kind": ["proposed"],
        "text": ["Audit a sample of installations."],
        "status": ["agreed"],
        "owner": ["ELEXON"],
        "due_date": ["2017-09-30"],
        "references": ["P302\n\n  SEC  "],
        "subrisks": [str(b.pk)],
    }

    response = editor_client.post(url("mitigation-create", 2), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/2/#mitigation-M3"
    created = Mitigation.objects.get(key="M3")
    assert (
        created.status,
        created.owner,
        created.due_date,
        created.references,
        list(created.subrisks.all()),
        created.order,
    ) == ("agreed", "ELEXON", datetime.date(2017, 9, 30), ["P302", "SEC"], [b], 3)
    assert created.history.first().history_user == editor
    page = editor_client.get(response.url).content.decode()
    assert "30 September 2017" in page


def test_mitigation_rules_come_from_the_model(editor_client, area):
    data = form_data(editor_client.get(url("mitigation-edit", 2, "M1")))
    data["status"] = ["agreed"]

    response = editor_client.post(url("mitigation-edit", 2, "M1"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Status: Only a proposed mitigation has a status; leave it empty for a "
        "current one or a &#x27;none proposed&#x27; statement."
    ) in page_text(response)


def test_mitigation_refuses_a_bad_due_date(editor_client, area):
    data = form_data(editor_client.get(url("mitigation-edit", 2, "M2")))
    data["due_date"] = ["31/02/2017"]

    response = editor_client.post(url("mitigation-edit", 2, "M2"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Due date: Enter a valid date." in page_text(response)
    assert 'value="31/02/2017"' in response.content.decode()


def test_implemented_proposal_becomes_current_in_one_action(
    editor_client, editor, area
):
    proposal = Mitigation.objects.get(key="M2")
    record_update(
        instance=proposal, user=None, revision=1, fields={"status": "implemented"}
    )
    page = editor_client.get(area.get_absolute_url()).content.decode()
    action = url("mitigation-make-current", 2, "M2")
    assert f'action="{action}"' in page

    response = editor_client.post(action, {"revision": "2"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/areas/2/#mitigation-M2"
    proposal.refresh_from_db()
    assert (proposal.kind, proposal.status, proposal.revision) == ("current", "", 3)
    kinds = [(h.kind, h.status) for h in proposal.history.order_by("history_date")]
    assert kinds == [
        ("proposed", "agreed"),
        ("proposed", "implemented"),
        ("current", ""),
    ]
    assert proposal.history.first().history_user == editor
    assert "is now a current mitigation" in page_text(editor_client.get(response.url))


def test_only_an_implemented_proposal_can_become_current(editor_client, area):
    response = editor_client.post(
        url("mitigation-make-current", 2, "M2"), {"revision": "1"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Status: Only an implemented proposal can become a current mitigation."
        in page_text(response)
    )
    assert Mitigation.objects.get(key="M2").kind == "proposed"


def test_make_current_from_an_old_revision_shows_the_conflict(editor_client, area):
    proposal = Mitigation.objects.get(key="M2")
    record_update(
        instance=proposal, user=None, revision=1, fields={"status": "implemented"}
    )

    response = editor_client.post(
        url("mitigation-make-current", 2, "M2"), {"revision": "1"}
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Make current anyway" in page_text(response)
    assert hidden_inputs(response) == {"revision": ["2"]}


# ---- Lessons -------------------------------------------------------------------


@pytest.fixture
def lesson(area):
    source = LessonSourceFactory(register=area.register, key="AM", name="Advanced")
    return LessonFactory(source=source, number=1, lesson="Plan early.")


def test_lesson_edit_keeps_source_and_number_and_saves_areas(
    editor_client, area, lesson
):
    data = form_data(editor_client.get(url("lesson-edit", "AM", 1)))
    assert "source" not in data and "number" not in data
    data |= {"lesson": ["Plan very early."], "related_areas": [str(area.pk)]}

    response = editor_client.post(url("lesson-edit", "AM", 1), data)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/lessons/#lesson-AM-1"
    lesson.refresh_from_db()
    assert (lesson.lesson, list(lesson.related_areas.all())) == (
        "Plan very early.",
        [area],
    )


def test_lesson_create_refuses_a_number_its_source_has(editor_client, lesson):
    data = form_data(editor_client.get(url("lesson-create")))
    data |= {
        "source": [str(lesson.source.pk)],
        "number": ["1"],
        "problem": ["A problem."],
        "lesson": ["A lesson."],
    }

    response = editor_client.post(url("lesson-create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Lesson with this Source and Number already exists." in page_text(response)
    data["number"] = ["2"]
    assert editor_client.post(url("lesson-create"), data).status_code == 302
    assert Lesson.objects.get(number=2).reference == "TEST-1/L/AM-2"


def test_lesson_of_another_register_is_not_offered(editor_client, lesson):
    foreign = LessonSourceFactory()
    data = form_data(editor_client.get(url("lesson-create")))
    data |= {
        "source": [str(foreign.pk)],
        "number": ["5"],
        "problem": ["x"],
        "lesson": ["y"],
    }

    response = editor_client.post(url("lesson-create"), data)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Source: Select a valid choice." in page_text(response)


# ---- Archiving -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "args", "model", "lookup", "redirect"),
    [
        ("area-archive", [2], RiskArea, {"number": 2}, "/registers/TEST-1/"),
        (
            "subrisk-archive",
            [2, "a"],
            "risks.SubRisk",
            {"key": "a"},
            "/registers/TEST-1/areas/2/",
        ),
        (
            "factor-archive",
            [2, "F1"],
            RiskFactor,
            {"key": "F1"},
            "/registers/TEST-1/areas/2/",
        ),
        (
            "mitigation-archive",
            [2, "M1"],
            Mitigation,
            {"key": "M1"},
            "/registers/TEST-1/areas/2/",
        ),
    ],
)
def test_archive_hides_the_record_and_keeps_it(
    editor_client, editor, area, name, args, model, lookup, redirect
):
    from django.apps import apps

    if isinstance(model, str):
        model = apps.get_model(model)

    response = editor_client.post(url(name, *args), {"revision": "1", "confirm": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url.startswith(redirect)
    record = model.objects.get(**lookup)
    assert record.is_archived
    assert record.history.first().history_user == editor
    assert "is archived. It is kept with its history" in page_text(
        editor_client.get(response.url)
    )


def test_archived_records_leave_the_read_page(editor_client, area):
    editor_client.post(url("factor-archive", 2, "F1"), {"revision": "1"})
    editor_client.post(url("subrisk-archive", 2, "a"), {"revision": "1"})

    page = page_text(editor_client.get(area.get_absolute_url()))

    assert "Installers are scarce." not in page
    assert "Visits are aborted." not in page


def test_archive_a_lesson(editor_client, lesson):
    response = editor_client.post(url("lesson-archive", "AM", 1), {"revision": "1"})

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/registers/TEST-1/lessons/#lesson-AM-1"
    lesson.refresh_from_db()
    assert lesson.is_archived


def test_archive_returns_to_a_safe_next_page_only(editor_client, area):
    safe = editor_client.post(
        url("factor-archive", 2, "F1"),
        {"revision": "1", "next": "/registers/TEST-1/archived/"},
    )
    unsafe = editor_client.post(
        url("mitigation-archive", 2, "M1"),
        {"revision": "1", "next": "https://evil.example/"},
    )

    assert safe.url == "/registers/TEST-1/archived/"
    assert unsafe.url == "/registers/TEST-1/areas/2/#mitigation-M1"


def test_archive_of_a_changed_record_asks_first(editor_client, area):
    factor = RiskFactor.objects.get(area=area)
    record_update(instance=factor, user=None, revision=1, fields={"text": "New."})

    response = editor_client.post(url("factor-archive", 2, "F1"), {"revision": "1"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Archive anyway" in page_text(response)
    factor.refresh_from_db()
    assert not factor.is_archived
    again = editor_client.post(url("factor-archive", 2, "F1"), hidden_inputs(response))
    assert again.status_code == HTTPStatus.FOUND
    factor.refresh_from_db()
    assert factor.is_archived


@pytest.mark.parametrize("revision", ["two", "0", "-3"])
def test_archive_refuses_a_bad_revision_naming_it(editor_client, area, revision):
    response = editor_client.post(
        url("factor-archive", 2, "F1"), {"revision": revision}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Revision: The revision must be" in page_text(response)
    assert not RiskFactor.objects.get(area=area).is_archived


def test_archive_without_the_revision_is_refused_naming_it(editor_client, area):
    response = editor_client.post(url("factor-archive", 2, "F1"), {})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Revision: The revision the page was shown at is missing; reload the page "
        "and try again." in page_text(response)
    )
    assert not RiskFactor.objects.get(area=area).is_archived


def test_archiving_an_area_asks_for_confirmation_first(editor_client, area):
    confirm_page = editor_client.get(url("area-archive", 2))
    unconfirmed = editor_client.post(url("area-archive", 2), {"revision": "1"})

    assert confirm_page.status_code == HTTPStatus.OK
    assert "Archive risk area 2. Installation?" in page_text(confirm_page)
    posted = form_data(confirm_page, "archive-area")
    assert (posted["revision"], posted["confirm"]) == (["1"], ["yes"])
    assert unconfirmed.status_code == HTTPStatus.BAD_REQUEST
    assert (
        "Archive the whole area: Confirm that the whole area, with all its rows, is "
        "to be archived." in page_text(unconfirmed)
    )
    assert not RiskArea.objects.get(pk=area.pk).is_archived
    confirmed = editor_client.post(
        url("area-archive", 2), form_data(confirm_page, "archive-area")
    )
    assert confirmed.status_code == HTTPStatus.FOUND
    assert RiskArea.objects.get(pk=area.pk).is_archived


def test_a_stale_area_archive_is_a_conflict(editor_client, area):
    confirm_page = editor_client.get(url("area-archive", 2))
    record_update(instance=area, user=None, revision=1, fields={"name": "Renamed"})

    response = editor_client.post(
        url("area-archive", 2), form_data(confirm_page, "archive-area")
    )

    assert response.status_code == HTTPStatus.CONFLICT
    assert not RiskArea.objects.get(pk=area.pk).is_archived


@pytest.mark.parametrize(
    "action",
    [
        "/registers/TEST-1/areas/9/archive/",
        "/registers/TEST-1/areas/2/subrisks/zz/archive/",
        "/registers/TEST-1/areas/2/factors/F9/archive/",
        "/registers/TEST-1/areas/2/mitigations/M9/make-current/",
        "/registers/TEST-1/lessons/AM/9/archive/",
        "/registers/NOPE/areas/2/archive/",
    ],
)
def test_actions_on_unknown_records_are_not_found(editor_client, area, action):
    assert editor_client.post(action).status_code == HTTPStatus.NOT_FOUND


def test_a_clash_at_the_database_is_refused_without_a_server_error(
    editor_client, area, monkeypatch
):
    from django.db import IntegrityError

    from risks.views import editing

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(editing, "record_create", clash)
    data = form_data(editor_client.get(url("factor-create", 2)))
    data["text"] = ["Weather."]

    response = editor_client.post(url("factor-create", 2), data)

    assert response.status_code == HTTPStatus.CONFLICT
    assert "Someone saved a clashing change at the same moment" in page_text(response)
    assert RiskFactor.objects.filter(text="Weather.").count() == 0
