import datetime

import pytest

from risks.document import methodology_to_document
from risks.history import (
    FieldChange,
    archived_list,
    area_history,
    change_authors,
    change_list,
    subrisk_history,
)
from risks.methodology import MethodologyChange, methodology_apply
from risks.models import RiskArea
from risks.services import (
    mitigation_make_current,
    record_archive,
    record_create,
    record_restore,
    record_update,
)
from tests.factories import (
    LessonFactory,
    LessonSourceFactory,
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)
from tests.history.conftest import date_history, likelihood, london

pytestmark = pytest.mark.django_db


def entries(feed):
    return list(feed[0 : feed.count()])


def summary(change):
    """A change as (action, label, user, [(field, old, new), ...])."""
    return (
        change.action,
        change.label,
        change.user,
        [(item.label, item.old, item.new) for item in change.changes],
    )


def test_subrisk_change_names_user_levels_and_ratings(area, editor):
    subrisk = SubRiskFactory(area=area, likelihood_value=2, impact_value=4)

    record_update(
        instance=subrisk,
        user=editor,
        revision=subrisk.revision,
        fields={"likelihood": likelihood(area.register, 4)},
    )

    newest, created = entries(subrisk_history(subrisk=subrisk))
    assert summary(newest) == (
        "changed",
        "Sub-risk 2.a",
        "editor",
        [("likelihood", "Low", "High"), ("rating", "Medium", "High")],
    )
    rating = newest.rating_change
    assert (rating.old_rating.name, rating.new_rating.name) == ("Medium", "High")
    assert rating.direction == "raised"
    assert [item.name for item in newest.other_changes] == ["likelihood"]
    assert summary(created) == ("created", "Sub-risk 2.a", "", [])
    assert created.rating.name == "Medium"


def test_text_change_keeps_both_texts_and_marks_them_long(area, editor):
    subrisk = SubRiskFactory(area=area, statement="Old words.", rating_label="")

    record_update(
        instance=subrisk,
        user=editor,
        revision=subrisk.revision,
        fields={"statement": "New words.\n\n- a bullet", "rating_label": "Label"},
    )

    newest = entries(subrisk_history(subrisk=subrisk))[0]
    assert newest.changes == (
        FieldChange(
            "statement", "description", "Old words.", "New words.\n\n- a bullet", True
        ),
        FieldChange("rating_label", "rating label", "", "Label", False),
    )


def test_archive_and_restore_are_named_from_archived_at(area, editor, second_editor):
    subrisk = SubRiskFactory(area=area)

    record_archive(instance=subrisk, user=editor)
    record_restore(instance=subrisk, user=second_editor)

    restored, archived, _ = entries(subrisk_history(subrisk=subrisk))
    assert (restored.action, restored.action_label, restored.user) == (
        "restored",
        "Restored",
        "second-editor",
    )
    assert (archived.action, archived.user, archived.changes) == (
        "archived",
        "editor",
        (),
    )


def test_rating_change_by_the_matrix_shows_its_reason(area, methodology_admin):
    subrisk = SubRiskFactory(area=area, likelihood_value=3, impact_value=3)
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology),
        reason="Medium x Medium is High",
    )
    change.matrix[3, 3] = "High"

    methodology_apply(
        methodology=area.register.methodology, change=change, user=methodology_admin
    )

    newest = entries(subrisk_history(subrisk=subrisk))[0]
    assert summary(newest) == (
        "changed",
        "Sub-risk 2.a",
        "methodology-admin",
        [("rating", "Medium", "High")],
    )
    assert newest.reason == "Methodology version 2: Medium x Medium is High"


def test_rating_change_keeps_the_name_of_a_removed_rating_level(
    area, methodology_admin
):
    subrisk = SubRiskFactory(area=area, likelihood_value=5, impact_value=5)
    document = methodology_to_document(area.register.methodology)
    change = MethodologyChange.from_document(document, reason="Three ratings")
    change.rating_levels = [r for r in change.rating_levels if r["name"] != "Very High"]
    change.matrix = {
        cell: "High" if rating == "Very High" else rating
        for cell, rating in change.matrix.items()
    }

    methodology_apply(
        methodology=area.register.methodology, change=change, user=methodology_admin
    )

    rating = entries(subrisk_history(subrisk=subrisk))[0].rating_change
    assert (rating.old, rating.new, rating.direction) == (
        "Very High",
        "High",
        "lowered",
    )
    assert rating.old_rating.colour == "#c62828"


def test_members_set_by_a_save_are_part_of_that_save(area, editor):
    first = SubRiskFactory(area=area)
    second = SubRiskFactory(area=area)
    mitigation = MitigationFactory(area=area, owner="Suppliers")
    mitigation.subrisks.set([first])

    saved = record_update(
        instance=mitigation,
        user=editor,
        revision=mitigation.revision,
        fields={"owner": "DCC"},
        m2m={"subrisks": [second]},
    )

    newest = entries(area_history(area=area))[0]
    assert summary(newest) == (
        "changed",
        "Mitigation 2/M1",
        "editor",
        [
            ("owner", "Suppliers", "DCC"),
            ("sub-risks", "Sub-risk 2.a", "Sub-risk 2.b"),
        ],
    )
    members = newest.changes[1]
    assert (members.added, members.removed) == (("Sub-risk 2.b",), ("Sub-risk 2.a",))
    assert saved.revision == 2


def test_created_record_lists_the_members_it_was_created_with(area, editor):
    subrisk = SubRiskFactory(area=area)

    record_create(
        model=type(MitigationFactory.build()),
        user=editor,
        fields={"area": area, "kind": "current", "text": "Smart meter checks"},
        m2m={"subrisks": [subrisk]},
    )

    newest = entries(area_history(area=area))[0]
    assert summary(newest) == (
        "created",
        "Mitigation 2/M1",
        "editor",
        [("sub-risks", "", "Sub-risk 2.a")],
    )


def test_imported_areas_show_no_members_they_always_had(register_2017, editor):
    area = RiskArea.objects.get(register=register_2017, number=1)
    see_also = list(area.see_also.all())

    record_update(
        instance=area,
        user=editor,
        revision=area.revision,
        fields={"name": "Industry readiness"},
        m2m={"see_also": see_also},
    )

    newest = entries(area_history(area=area))[0]
    assert summary(newest) == (
        "changed",
        "Risk area 1",
        "editor",
        [("name", "Readiness", "Industry readiness")],
    )


def test_see_also_and_related_area_changes_name_the_areas(area, editor):
    other = RiskAreaFactory(register=area.register, number=5)
    lesson = LessonFactory(source=LessonSourceFactory(register=area.register, key="AM"))

    record_update(
        instance=area,
        user=editor,
        revision=area.revision,
        fields={},
        m2m={"see_also": [other]},
    )
    record_update(
        instance=lesson,
        user=editor,
        revision=lesson.revision,
        fields={},
        m2m={"related_areas": [area, other]},
    )

    lesson_change, area_change = entries(change_list(register=area.register))[:2]
    assert summary(area_change) == (
        "changed",
        "Risk area 2",
        "editor",
        [("see also", "", "Risk area 5")],
    )
    assert summary(lesson_change) == (
        "changed",
        f"Lesson AM-{lesson.number}",
        "editor",
        [("related areas", "", "Risk area 2, Risk area 5")],
    )
    assert lesson_change.url == f"/registers/TEST-1/lessons/#lesson-AM-{lesson.number}"


def test_a_save_without_changes_is_listed_without_fields(area, editor):
    factor = RiskFactorFactory(area=area)

    # The services record no change that changes nothing; the admin saves anyway.
    factor._history_user = editor
    factor.save()

    newest = entries(area_history(area=area))[0]
    assert summary(newest) == ("changed", "Risk factor 2/F1", "editor", [])
    assert newest.earlier_unknown is False


def test_choices_dates_and_lists_read_as_text(area, editor):
    mitigation = MitigationFactory(
        area=area, kind="proposed", status="implemented", references=["SLC 43"]
    )

    mitigation = mitigation_make_current(
        mitigation=mitigation, user=editor, revision=mitigation.revision
    )
    record_update(
        instance=mitigation,
        user=editor,
        revision=mitigation.revision,
        fields={
            "due_date": datetime.date(2017, 5, 24),
            "references": ["SLC 43", "SLC 44"],
        },
    )

    dated, made_current = entries(area_history(area=area))[:2]
    assert summary(made_current)[3] == [
        ("kind", "Proposed", "Current"),
        ("status", "Implemented", ""),
    ]
    assert summary(dated)[3] == [
        ("due date", "", "24 May 2017"),
        ("references", "SLC 43", "SLC 43, SLC 44"),
    ]


def test_area_history_covers_its_records_and_no_other_area(area, editor):
    other = RiskAreaFactory(register=area.register, number=3)
    SubRiskFactory(area=other)
    subrisk = SubRiskFactory(area=area)
    factor = RiskFactorFactory(area=area)
    mitigation = MitigationFactory(area=area)
    for record in (subrisk, factor, mitigation, area):
        record_archive(instance=record, user=editor)

    labels = [
        (c.action, c.kind_label, c.label) for c in entries(area_history(area=area))
    ]

    assert labels == [
        ("archived", "Risk area", "Risk area 2"),
        ("archived", "Mitigation", "Mitigation 2/M1"),
        ("archived", "Risk factor", "Risk factor 2/F1"),
        ("archived", "Sub-risk", "Sub-risk 2.a"),
        ("created", "Mitigation", "Mitigation 2/M1"),
        ("created", "Risk factor", "Risk factor 2/F1"),
        ("created", "Sub-risk", "Sub-risk 2.a"),
        ("created", "Risk area", "Risk area 2"),
    ]


def test_change_list_is_newest_first_across_kinds_and_registers(area, editor):
    SubRiskFactory(area=RiskAreaFactory(register=RegisterFactory(), number=1))
    subrisk = SubRiskFactory(area=area)
    lesson = LessonFactory(source=LessonSourceFactory(register=area.register))
    record_archive(instance=lesson, user=editor)
    record_archive(instance=subrisk, user=editor)

    feed = change_list(register=area.register)

    assert feed.count() == 5
    assert [(c.action, c.kind) for c in entries(feed)] == [
        ("archived", "subrisk"),
        ("archived", "lesson"),
        ("created", "lesson"),
        ("created", "subrisk"),
        ("created", "area"),
    ]
    assert [c.kind for c in feed[1:3]] == ["lesson", "lesson"]


def test_change_list_filters_by_user_area_and_dates(area, editor, second_editor):
    other = RiskAreaFactory(register=area.register, number=3)
    mine = SubRiskFactory(area=area)
    theirs = SubRiskFactory(area=other)
    related = LessonFactory(source=LessonSourceFactory(register=area.register))
    related.related_areas.add(area)
    record_archive(instance=mine, user=editor)
    date_history(mine, london(2017, 5, 24, 14, 5))
    record_archive(instance=theirs, user=second_editor)
    date_history(theirs, london(2017, 5, 25, 0, 30))
    record_archive(instance=related, user=editor)
    date_history(related, london(2017, 4, 25, 23, 59))
    register = area.register

    def labels(**criteria):
        feed = change_list(register=register, **criteria)
        return [(c.action, c.label) for c in entries(feed) if c.action == "archived"]

    assert labels(user=editor) == [
        ("archived", "Sub-risk 2.a"),
        ("archived", f"Lesson {related.source.key}-{related.number}"),
    ]
    assert labels(user=second_editor) == [("archived", "Sub-risk 3.a")]
    assert labels(area=other) == [("archived", "Sub-risk 3.a")]
    assert labels(area=area) == [
        ("archived", "Sub-risk 2.a"),
        ("archived", f"Lesson {related.source.key}-{related.number}"),
    ]
    day = datetime.date
    assert labels(since=day(2017, 5, 24), until=day(2017, 5, 24)) == [
        ("archived", "Sub-risk 2.a")
    ]
    assert labels(since=day(2017, 5, 25)) == [("archived", "Sub-risk 3.a")]
    assert labels(until=day(2017, 4, 25)) == [
        ("archived", f"Lesson {related.source.key}-{related.number}")
    ]
    assert labels(since=day(2017, 4, 26), until=day(2017, 5, 23)) == []


def test_change_authors_are_the_users_with_changes_in_the_register(
    area, editor, second_editor, viewer
):
    record_archive(instance=SubRiskFactory(area=area), user=editor)
    other_area = RiskAreaFactory(register=RegisterFactory(), number=1)
    record_archive(instance=other_area, user=second_editor)

    assert list(change_authors(register=area.register)) == [editor]


def test_change_list_reads_a_page_in_a_fixed_number_of_queries(
    register, editor, django_assert_max_num_queries
):
    def make_changes(count):
        area = RiskAreaFactory(register=register)
        for _ in range(count):
            subrisk = SubRiskFactory(area=area)
            factor = RiskFactorFactory(area=area)
            mitigation = MitigationFactory(area=area)
            mitigation = record_update(
                instance=mitigation,
                user=editor,
                revision=mitigation.revision,
                fields={"owner": "DCC"},
                m2m={"subrisks": [subrisk]},
            )
            lesson = LessonFactory(source=LessonSourceFactory(register=register))
            for record in (subrisk, factor, mitigation, lesson):
                record_archive(instance=record, user=editor)
        record_update(
            instance=area,
            user=editor,
            revision=area.revision,
            fields={"name": "Renamed"},
            m2m={"see_also": []},
        )

    make_changes(1)
    # The union, one query per kind (two with members) and the labels' lookups.
    with django_assert_max_num_queries(13):
        small = change_list(register=register)[0:50]
    make_changes(6)
    with django_assert_max_num_queries(13):
        large = change_list(register=register)[0:50]

    assert len(small) == 11
    assert len(large) == 50
    assert {change.kind for change in large} == {
        "area",
        "subrisk",
        "factor",
        "mitigation",
        "lesson",
    }


def test_archived_list_names_who_archived_each_record(area, editor, second_editor):
    subrisk = SubRiskFactory(area=area)
    lesson = LessonFactory(source=LessonSourceFactory(register=area.register, key="P"))
    record_archive(instance=subrisk, user=editor)
    record_archive(instance=lesson, user=second_editor)
    record_restore(instance=lesson, user=editor)
    lesson.refresh_from_db()
    record_archive(instance=lesson, user=second_editor, revision=lesson.revision)
    record_update(
        instance=lesson,
        user=editor,
        revision=lesson.revision + 1,
        fields={"lesson": "Edited while archived."},
    )

    groups = {
        group.kind: group.records for group in archived_list(register=area.register)
    }

    assert list(groups) == ["area", "subrisk", "factor", "mitigation", "lesson"]
    assert groups["area"] == []
    (archived_subrisk,) = groups["subrisk"]
    assert (
        archived_subrisk.label,
        archived_subrisk.archived_by,
        archived_subrisk.restore_url,
        archived_subrisk.history_url,
        archived_subrisk.blocked_by_area,
    ) == (
        "Sub-risk 2.a",
        "editor",
        "/registers/TEST-1/areas/2/subrisks/a/restore/",
        "/registers/TEST-1/areas/2/subrisks/a/history/",
        None,
    )
    (archived_lesson,) = groups["lesson"]
    assert (archived_lesson.label, archived_lesson.archived_by) == (
        f"Lesson P-{lesson.number}",
        "second-editor",
    )
    assert archived_lesson.restore_url == (
        f"/registers/TEST-1/lessons/P/{lesson.number}/restore/"
    )


def test_archived_list_marks_records_of_an_archived_area(area, editor):
    subrisk = SubRiskFactory(area=area)
    record_archive(instance=subrisk, user=editor)
    record_archive(instance=area, user=editor)

    groups = {
        group.kind: group.records for group in archived_list(register=area.register)
    }

    assert [record.label for record in groups["area"]] == ["Risk area 2"]
    assert groups["subrisk"][0].blocked_by_area == 2


def test_levels_removed_by_a_methodology_change_keep_their_labels(
    area, methodology_admin
):
    subrisk = SubRiskFactory(area=area, likelihood_value=5, impact_value=2)
    document = methodology_to_document(area.register.methodology)
    change = MethodologyChange.from_document(document, reason="Four likelihoods")
    change.likelihood_levels = change.likelihood_levels[:4]
    change.matrix = {
        (likelihood, impact): rating
        for (likelihood, impact), rating in change.matrix.items()
        if likelihood <= 4
    }
    change.likelihood_mapping = {5: 4}

    methodology_apply(
        methodology=area.register.methodology, change=change, user=methodology_admin
    )

    newest = entries(subrisk_history(subrisk=subrisk))[0]
    assert summary(newest) == (
        "changed",
        "Sub-risk 2.a",
        "methodology-admin",
        [("likelihood", "Very High", "High")],
    )
    assert newest.reason == "Methodology version 2: Four likelihoods"


def test_a_record_deleted_in_the_admin_stays_in_the_history(area, editor):
    subrisk = SubRiskFactory(area=area)
    record_archive(instance=subrisk, user=editor)

    subrisk.delete()

    deleted, archived, created = entries(change_list(register=area.register))[:3]
    assert [(c.action, c.label) for c in (deleted, archived, created)] == [
        ("deleted", "Sub-risk 2.a"),
        ("archived", "Sub-risk 2.a"),
        ("created", "Sub-risk 2.a"),
    ]
    assert deleted.changes == ()
