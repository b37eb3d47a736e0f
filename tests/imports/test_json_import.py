import copy

import pytest

from mitigations.models import Mitigation
from risks.exports.document import register_to_document
from risks.imports.files import ImportFileError
from risks.imports.services import (
    ImportAppliedError,
    ImportOutdatedError,
    import_batch_apply,
    import_batch_create,
    plan_file,
)
from risks.models import (
    GlossaryTerm,
    ImportBatch,
    Lesson,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)
from risks.services import StaleRevisionError, record_archive, record_update
from tests.imports.conftest import json_bytes

pytestmark = pytest.mark.django_db


def preview_of(document, register):
    _, plan = plan_file(json_bytes(document), register=register)
    return plan.preview


def entry(preview, reference):
    matches = [e for e in preview["entries"] if e["reference"] == reference]
    assert len(matches) == 1, reference
    return matches[0]


def import_problems(document, register=None):
    with pytest.raises(ImportFileError) as raised:
        plan_file(json_bytes(document), register=register)
    return raised.value.problems


def counts(preview):
    return {k: v for k, v in preview["counts"].items() if k != "unchanged"}


def test_reimporting_an_unedited_export_changes_nothing(register_2017, document_2017):
    preview = preview_of(document_2017, register_2017)

    assert preview["entries"] == []
    assert counts(preview) == {"create": 0, "update": 0, "restore": 0, "archive": 0}
    assert preview["counts"]["unchanged"] == 1 + 10 + 13 + 89 + 70 + 3 + 9 + 82


def test_preview_shows_changes_field_by_field_with_the_rating_change(
    register_2017, document_2017
):
    subrisk = document_2017["areas"][1]["subrisks"][1]
    subrisk["likelihood"] = "very high"
    subrisk["impact"] = "5"
    subrisk["rating_label"] = "Errors at installation"
    document_2017["register"]["version"] = "1.1"

    preview = preview_of(document_2017, register_2017)

    assert entry(preview, "SRR-2017/2.b") == {
        "kind": "sub-risk",
        "action": "update",
        "reference": "SRR-2017/2.b",
        "title": "The risk that the errors in the installation process give rise to "
        "Settlement data quality…",
        "changes": [
            {
                "field": "Rating label",
                "old": "Likelihood of errors in the installation process giving "
                "rise to Settlement data quality issues",
                "new": "Errors at installation",
            },
            {"field": "Likelihood", "old": "Low", "new": "Very High"},
            {"field": "Settlement impact", "old": "High", "new": "Very High"},
            {"field": "Rating", "old": "Medium", "new": "Very High"},
        ],
        "revision": 1,
    }
    assert entry(preview, "SRR-2017")["changes"] == [
        {"field": "Version", "old": "1.0", "new": "1.1"}
    ]
    assert counts(preview) == {"create": 0, "update": 2, "restore": 0, "archive": 0}


def test_preview_lists_created_and_archived_records(register_2017, document_2017):
    area = document_2017["areas"][0]
    area["subrisks"].append(
        {"key": "b", "statement": "A new risk.", "likelihood": 4, "impact": 4}
    )
    area["risk_factors"].pop()
    document_2017["areas"].pop()
    document_2017["glossary"].append({"abbreviation": "ZZ", "meaning": "Zed zed"})

    preview = preview_of(document_2017, register_2017)

    assert entry(preview, "SRR-2017/1.b")["action"] == "create"
    assert entry(preview, "SRR-2017/1.b")["changes"] == [
        {"field": "Rating", "old": "", "new": "High"}
    ]
    assert entry(preview, "SRR-2017/1/F11")["action"] == "archive"
    assert entry(preview, "SRR-2017/10")["action"] == "archive"
    assert entry(preview, "SRR-2017/10.a")["action"] == "archive"
    assert entry(preview, "SRR-2017/G/ZZ")["action"] == "create"
    assert counts(preview) == {
        "create": 2,
        "update": 0,
        "restore": 0,
        "archive": 1 + 1 + 6 + 3 + 1,
    }


def test_nothing_is_written_by_the_dry_run(register_2017, document_2017, editor):
    document_2017["areas"][0]["subrisks"][0]["statement"] = "Changed."
    document_2017["areas"].pop()

    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )

    assert batch.applied_at is None
    assert SubRisk.objects.get(reference="SRR-2017/1.a").statement != "Changed."
    assert RiskArea.objects.get(reference="SRR-2017/10").archived_at is None
    assert ImportBatch.objects.count() == 1


def test_apply_writes_everything_through_services_with_the_user_in_history(
    register_2017, document_2017, editor
):
    area = document_2017["areas"][0]
    area["subrisks"][0]["impact"] = 4
    area["subrisks"].append(
        {"key": "b", "statement": "A new risk.", "likelihood": 2, "impact": 2}
    )
    area["mitigations"][0]["subrisks"] = ["a", "b"]
    document_2017["areas"].pop()
    document_2017["lessons"][0]["related_areas"] = [1, 2]
    document_2017["glossary"][0]["meaning"] = "Changed meaning"
    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )

    register = import_batch_apply(batch=batch, user=editor)

    changed = SubRisk.objects.get(reference="SRR-2017/1.a")
    assert (changed.impact.value, changed.rating.name, changed.revision) == (
        4,
        "Very High",
        2,
    )
    assert changed.history.first().history_user == editor
    created = SubRisk.objects.get(reference="SRR-2017/1.b")
    assert (created.rating.name, created.order) == ("Low", 2)
    assert created.history.get().history_user == editor
    mitigation = Mitigation.objects.get(reference="SRR-2017/1/M1")
    assert sorted(mitigation.subrisks.values_list("key", flat=True)) == ["a", "b"]
    assert RiskArea.objects.get(reference="SRR-2017/10").archived_at is not None
    assert SubRisk.objects.get(reference="SRR-2017/10.a").archived_at is not None
    assert all(
        factor.history.first().history_user == editor
        for factor in RiskFactor.objects.filter(area__number=10)
    )
    lesson = Lesson.objects.get(reference="SRR-2017/L/AM-1")
    assert list(lesson.related_areas.values_list("number", flat=True)) == [1, 2]
    term = GlossaryTerm.objects.get(
        abbreviation=document_2017["glossary"][0]["abbreviation"]
    )
    assert term.meaning == "Changed meaning"
    batch.refresh_from_db()
    assert (batch.applied_at is not None, batch.register) == (True, register)
    assert preview_of(document_2017, register)["entries"] == []


def test_import_restores_an_archived_record_that_the_file_holds(
    register_2017, document_2017, editor
):
    subrisk = SubRisk.objects.get(reference="SRR-2017/6.b")
    record_archive(instance=subrisk, user=editor)

    preview = preview_of(document_2017, register_2017)

    assert entry(preview, "SRR-2017/6.b")["action"] == "restore"
    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )
    import_batch_apply(batch=batch, user=editor)
    subrisk.refresh_from_db()
    assert subrisk.archived_at is None


def test_apply_refuses_when_the_register_changed_since_the_dry_run(
    register_2017, document_2017, editor
):
    document_2017["areas"][0]["subrisks"][0]["statement"] = "From the file."
    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )
    subrisk = SubRisk.objects.get(reference="SRR-2017/1.a")
    record_update(
        instance=subrisk, user=editor, revision=1, fields={"rating_label": "Other"}
    )

    with pytest.raises(ImportOutdatedError):
        import_batch_apply(batch=batch, user=editor)

    subrisk.refresh_from_db()
    assert (subrisk.statement, subrisk.revision) != ("From the file.", 3)
    batch.refresh_from_db()
    assert batch.applied_at is None
    assert entry(batch.preview, "SRR-2017/1.a")["changes"] == [
        {
            "field": "Description",
            "old": subrisk.statement,
            "new": "From the file.",
        },
        {"field": "Rating label", "old": "Other", "new": ""},
    ]


def test_a_batch_applies_once(register_2017, document_2017, editor):
    document_2017["areas"][0]["name"] = "Readiness of industry"
    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )
    import_batch_apply(batch=batch, user=editor)

    with pytest.raises(ImportAppliedError):
        import_batch_apply(batch=batch, user=editor)


def test_a_stale_record_during_apply_rolls_everything_back(
    register_2017, document_2017, editor, monkeypatch
):
    document_2017["areas"][0]["name"] = "Renamed"
    document_2017["areas"][1]["name"] = "Renamed too"
    batch = import_batch_create(
        user=editor,
        filename="srr.json",
        content=json_bytes(document_2017),
        register=register_2017,
    )
    from risks.imports import services

    original = services.record_update
    calls = []

    def fail_second(**kwargs):
        calls.append(kwargs["instance"].reference)
        if len(calls) == 2:
            raise StaleRevisionError(kwargs["instance"])
        return original(**kwargs)

    monkeypatch.setattr(services, "record_update", fail_second)

    with pytest.raises(StaleRevisionError):
        import_batch_apply(batch=batch, user=editor)

    assert calls == ["SRR-2017/1", "SRR-2017/2"]
    assert RiskArea.objects.get(reference="SRR-2017/1").name == "Readiness"
    batch.refresh_from_db()
    assert batch.applied_at is None


def test_labels_are_read_in_any_case_and_values_as_text(register_2017, document_2017):
    subrisk = document_2017["areas"][0]["subrisks"][0]
    subrisk["likelihood"], subrisk["impact"] = "VERY HIGH", "very low"

    assert preview_of(document_2017, register_2017)["entries"] == []


def test_every_problem_is_named_with_its_path_and_nothing_is_kept(
    register_2017, document_2017, editor
):
    areas = document_2017["areas"]
    areas[0]["subrisks"][0]["likelihood"] = "Quite likely"
    areas[1]["subrisks"][0]["statement"] = ""
    areas[1]["subrisks"][1]["key"] = "a"
    areas[2]["subrisks"][0]["impact"] = 9

    assert import_problems(document_2017, register_2017) == [
        "areas[0].subrisks[0].likelihood: unknown likelihood 'Quite likely'; give a "
        "label (Very Low, Low, Medium, High, Very High) or a value (1 to 5)",
        "areas[2].subrisks[0].impact: unknown settlement impact '9'; give a label "
        "(Very Low, Low, Medium, High, Very High) or a value (1 to 5)",
        "areas[1].subrisks[0].statement: is required",
        "areas[1].subrisks: duplicate key 'a'",
        *(
            f"areas[1].mitigations[{index}].subrisks: no sub-risk 'b' in this area"
            for index in (1, 2, 3, 4)
        ),
    ]
    with pytest.raises(ImportFileError):
        import_batch_create(
            user=editor,
            filename="bad.json",
            content=json_bytes(document_2017),
            register=register_2017,
        )
    assert ImportBatch.objects.count() == 0


def test_unknown_keys_are_refused_with_their_path(register_2017, document_2017):
    subrisk = document_2017["areas"][1]["subrisks"][0]
    subrisk["rating_lable"] = subrisk.pop("rating_label")
    document_2017["areas"][0]["mitigations"][0]["bogus_field"] = 1
    document_2017["methodology"]["matrix"][0]["colour"] = "#ffffff"
    document_2017["methodology"]["likelihood_levels"][0]["note"] = ""
    document_2017["register"]["owner"] = "x"
    document_2017["glossary"][0]["see"] = ""
    document_2017["exported_by"] = "me"

    assert import_problems(document_2017, register_2017) == [
        "exported_by: unknown field",
        "register.owner: unknown field",
        "methodology.likelihood_levels[0].note: unknown field",
        "methodology.matrix[0].colour: unknown field",
        "areas[0].mitigations[0].bogus_field: unknown field",
        "areas[1].subrisks[0].rating_lable: unknown field",
        "glossary[0].see: unknown field",
    ]


def test_import_refuses_a_changed_methodology(register_2017, document_2017):
    methodology = document_2017["methodology"]
    methodology["matrix"][0]["rating"] = "High"
    methodology["likelihood_levels"][2]["label"] = "Moderate"

    problems = import_problems(document_2017, register_2017)

    assert problems[0].startswith(
        "methodology.likelihood_levels[2].label: 'Moderate' (the register has "
        "'Medium') differs from the register's; an import does not change the "
        "methodology"
    )
    assert problems[1].startswith(
        "methodology.matrix: cell likelihood 5 x impact 1 is 'High' (the register "
        "has 'Low')"
    )


def test_import_refuses_a_file_of_another_register(register_2017, document_2017):
    document_2017["register"]["reference"] = "OTHER"

    assert import_problems(document_2017, register_2017) == [
        "register.reference: the file is for register 'OTHER', not 'SRR-2017'"
    ]


def test_new_register_import_refuses_an_existing_or_reserved_reference(
    register_2017, document_2017
):
    assert import_problems(document_2017) == [
        "register.reference: a register 'SRR-2017' exists already; import the file "
        "onto it from its overview page instead"
    ]
    document_2017["register"]["reference"] = "import"
    assert import_problems(document_2017) == [
        "register.reference: 'import' is reserved; choose another"
    ]
    document_2017["register"]["reference"] = "bad/ref"
    assert import_problems(document_2017) == [
        "register.reference: Use letters, digits, hyphens and underscores only (up "
        "to 32 characters)."
    ]


def test_new_register_preview_rates_each_subrisk_through_the_files_matrix(
    register_2017, document_2017, editor
):
    copied = copy.deepcopy(document_2017)
    copied["register"]["reference"] = "SRR-COPY"

    preview = preview_of(copied, None)

    assert preview["new_register"] is True
    assert entry(preview, "SRR-COPY/8.a")["changes"] == [
        {"field": "Rating", "old": "", "new": "High"}
    ]
    assert counts(preview)["create"] == 1 + 10 + 13 + 89 + 70 + 9 + 82
    batch = import_batch_create(
        user=editor, filename="copy.json", content=json_bytes(copied)
    )
    register = import_batch_apply(batch=batch, user=editor)
    assert register.reference == "SRR-COPY"
    assert register_to_document(register)["areas"] == document_2017["areas"]
    assert Register.objects.count() == 2
