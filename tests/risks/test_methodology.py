import copy

import pytest
from django.core.exceptions import ValidationError

from risks.defaults import DEFAULT_METHODOLOGY
from risks.document import methodology_to_document
from risks.methodology import (
    MethodologyChange,
    matrix_from_bands,
    methodology_apply,
    methodology_preview,
    monotonic_warnings,
)
from risks.models import MatrixCell, SubRisk
from tests.factories import RiskAreaFactory, SubRiskFactory, UserFactory

pytestmark = pytest.mark.django_db


def current_change(register, reason="Test"):
    return MethodologyChange.from_document(
        methodology_to_document(register.methodology), reason=reason
    )


def ratings(register):
    return dict(
        SubRisk.objects.filter(area__register=register).values_list(
            "reference", "rating__name"
        )
    )


def test_changing_one_cell_changes_exactly_its_subrisks(register_2017):
    change = current_change(register_2017, reason="Medium x Medium is High")
    change.matrix[3, 3] = "High"
    before = ratings(register_2017)

    result = methodology_apply(
        methodology=register_2017.methodology, change=change, user=None
    )

    after = ratings(register_2017)
    moved = {ref for ref in after if after[ref] != before[ref]}
    assert moved == {"SRR-2017/3.a", "SRR-2017/4.a", "SRR-2017/7.a"}
    assert [(c.reference, c.old, c.new) for c in result.changes] == [
        ("SRR-2017/3.a", "Medium", "High"),
        ("SRR-2017/4.a", "Medium", "High"),
        ("SRR-2017/7.a", "Medium", "High"),
    ]
    assert result.counts_before == {"Low": 6, "Medium": 6, "High": 1}
    assert result.counts_after == {"Low": 6, "Medium": 3, "High": 4}


def test_preview_matches_saving_and_writes_nothing(register_2017):
    change = current_change(register_2017)
    change.matrix[2, 3] = "Low"
    change.matrix[4, 3] = "Very High"
    methodology = register_2017.methodology

    preview = methodology_preview(methodology=methodology, change=change)
    assert ratings(register_2017)["SRR-2017/9.a"] == "Medium"
    assert (
        MatrixCell.objects.get(
            methodology=methodology, likelihood__value=2, impact__value=3
        ).rating.name
        == "Medium"
    )
    methodology.refresh_from_db()
    assert methodology.version == 1
    saved = methodology_apply(methodology=methodology, change=change, user=None)

    assert preview.changes == saved.changes
    assert preview.counts_after == saved.counts_after
    assert [c.reference for c in saved.changes] == [
        "SRR-2017/9.a",
        "SRR-2017/10.a",
    ]


def test_saving_records_a_version_and_rating_history(register_2017):
    admin = UserFactory()
    change = current_change(register_2017, reason="Stricter matrix")
    change.matrix[4, 4] = "Very High"

    methodology_apply(methodology=register_2017.methodology, change=change, user=admin)

    methodology = register_2017.methodology
    methodology.refresh_from_db()
    version = methodology.versions.get(version=2)
    assert (version.created_by, version.reason) == (admin, "Stricter matrix")
    assert {"likelihood": 4, "impact": 4, "rating": "Very High"} in version.snapshot[
        "matrix"
    ]
    assert set(
        SubRisk.objects.filter(area__register=register_2017).values_list(
            "methodology_version", flat=True
        )
    ) == {2}


def test_rating_history_names_the_methodology_version(register_2017):
    admin = UserFactory()
    change = current_change(register_2017, reason="Stricter matrix")
    change.matrix[3, 4] = "Very High"

    methodology_apply(methodology=register_2017.methodology, change=change, user=admin)

    entry = SubRisk.objects.get(reference="SRR-2017/8.a").history.first()
    assert entry.history_change_reason == "Methodology version 2: Stricter matrix"
    assert entry.history_user == admin
    assert entry.rating.name == "Very High"
    assert entry.prev_record.rating.name == "High"


def three_by_three():
    labels = ["Unlikely", "Possible", "Likely"]
    return {
        "name": "Three by three",
        "likelihood_levels": [
            {"value": v, "label": label, "definition": ""}
            for v, label in enumerate(labels, start=1)
        ],
        "impact_levels": [
            {"value": v, "label": label, "definition": ""}
            for v, label in enumerate(["Minor", "Moderate", "Major"], start=1)
        ],
        "rating_levels": copy.deepcopy(DEFAULT_METHODOLOGY["rating_levels"][:3]),
        "matrix": [],
    }


def test_shrinking_to_three_levels_needs_a_mapping_for_used_levels():
    area = RiskAreaFactory()
    SubRiskFactory(area=area, likelihood_value=5, impact_value=5)
    document = three_by_three()
    change = MethodologyChange.from_document(document)
    change.matrix = matrix_from_bands(
        likelihood_values=[1, 2, 3],
        impact_values=[1, 2, 3],
        bands=[(1, "Low"), (3, "Medium"), (6, "High")],
    )

    with pytest.raises(ValidationError) as refused:
        methodology_apply(
            methodology=area.register.methodology, change=change, user=None
        )

    assert refused.value.message_dict == {
        "likelihood_levels": [
            "Level 5 (Very High) is used by 1 sub-risk(s): map them to a remaining "
            "level first."
        ],
        "impact_levels": [
            "Level 5 (Very High) is used by 1 sub-risk(s): map them to a remaining "
            "level first."
        ],
    }
    assert SubRisk.objects.get().rating.name == "Very High"


def test_a_three_by_three_methodology_rates_through_its_own_matrix():
    area = RiskAreaFactory()
    subrisk = SubRiskFactory(area=area, likelihood_value=5, impact_value=2)
    change = MethodologyChange.from_document(three_by_three(), reason="Simpler")
    change.matrix = matrix_from_bands(
        likelihood_values=[1, 2, 3],
        impact_values=[1, 2, 3],
        bands=[(1, "Low"), (3, "Medium"), (6, "High")],
    )
    change.likelihood_mapping = {4: 3, 5: 3}
    change.impact_mapping = {4: 3, 5: 3}

    methodology_apply(methodology=area.register.methodology, change=change, user=None)

    subrisk.refresh_from_db()
    assert (subrisk.likelihood.label, subrisk.impact.label) == ("Likely", "Moderate")
    assert subrisk.rating.name == "High"
    assert MatrixCell.objects.filter(methodology=area.register.methodology).count() == 9


def test_seven_levels_are_accepted():
    area = RiskAreaFactory()
    SubRiskFactory(area=area, likelihood_value=2, impact_value=2)
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology)
    )
    for scale in (change.likelihood_levels, change.impact_levels):
        scale.extend(
            {"value": v, "label": f"Level {v}", "definition": ""} for v in (6, 7)
        )
    change.matrix = matrix_from_bands(
        likelihood_values=range(1, 8),
        impact_values=range(1, 8),
        bands=[(1, "Low"), (6, "Medium"), (12, "High"), (25, "Very High")],
    )

    methodology_apply(methodology=area.register.methodology, change=change, user=None)

    assert (
        MatrixCell.objects.filter(methodology=area.register.methodology).count() == 49
    )
    assert SubRisk.objects.get().rating.name == "Low"


def test_eight_levels_are_refused():
    area = RiskAreaFactory()
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology)
    )
    change.impact_levels.extend(
        {"value": v, "label": f"Level {v}", "definition": ""} for v in (6, 7, 8)
    )

    with pytest.raises(ValidationError) as refused:
        methodology_apply(
            methodology=area.register.methodology, change=change, user=None
        )

    assert refused.value.message_dict["impact_levels"] == [
        "A scale has 3 to 7 levels; this one has 8."
    ]


def test_a_missing_cell_is_refused():
    area = RiskAreaFactory()
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology)
    )
    del change.matrix[2, 3]

    with pytest.raises(ValidationError) as refused:
        methodology_preview(methodology=area.register.methodology, change=change)

    assert refused.value.message_dict == {
        "matrix": ["Choose a rating for every cell; missing: 2 x 3."]
    }


def test_a_malformed_colour_is_refused():
    area = RiskAreaFactory()
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology)
    )
    change.rating_levels[0]["colour"] = "green"

    with pytest.raises(ValidationError) as refused:
        methodology_preview(methodology=area.register.methodology, change=change)

    assert refused.value.message_dict == {
        "rating_levels": ["Low: give the colour as #rrggbb, not 'green'."]
    }


def test_non_monotonic_cell_warns():
    area = RiskAreaFactory()
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology)
    )
    change.matrix[4, 4] = "Low"

    warnings = monotonic_warnings(change)

    assert warnings == [
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood "
        "3 x impact 4.",
        "Cell likelihood 4 x impact 4 is rated Low, lower than High at likelihood "
        "4 x impact 3.",
    ]


def test_default_bands_give_the_default_matrix():
    matrix = matrix_from_bands(
        likelihood_values=range(1, 6),
        impact_values=range(1, 6),
        bands=[(1, "Low"), (6, "Medium"), (12, "High"), (20, "Very High")],
    )

    assert matrix == DEFAULT_METHODOLOGY["matrix"]
