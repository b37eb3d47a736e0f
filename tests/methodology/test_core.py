import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from risks.document import methodology_to_document
from risks.methodology import (
    MethodologyChange,
    PreviewOutdatedError,
    matrix_from_bands,
    methodology_apply,
    methodology_confirm,
    methodology_preview,
)
from risks.models import LikelihoodLevel, MethodologyVersion, RatingLevel, SubRisk
from risks.services import StaleRevisionError
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db


def current(register, reason="Test"):
    return MethodologyChange.from_document(
        methodology_to_document(register.methodology), reason=reason
    )


def refused(register, change):
    with pytest.raises(ValidationError) as error:
        methodology_preview(methodology=register.methodology, change=change)
    return error.value.message_dict


def test_a_change_survives_the_round_trip_through_json_data():
    register = RegisterFactory()
    change = current(register, reason="Round trip")
    change.matrix[2, 3] = "High"
    change.likelihood_mapping = {5: 4}

    assert MethodologyChange.from_data(change.to_data()) == change


def test_confirming_refuses_when_other_ratings_would_change(register_2017):
    methodology = register_2017.methodology
    change = current(register_2017)
    change.matrix[3, 3] = "High"
    preview = methodology_preview(methodology=methodology, change=change)
    moved = SubRisk.objects.get(reference="SRR-2017/9.a")
    moved.likelihood = methodology.likelihood_levels.get(value=3)
    moved.save()

    with pytest.raises(PreviewOutdatedError) as outdated:
        methodology_confirm(
            methodology=methodology,
            change=change,
            user=None,
            revision=preview.revision,
            digest=preview.digest,
        )

    assert [c.reference for c in outdated.value.result.changes] == [
        "SRR-2017/3.a",
        "SRR-2017/4.a",
        "SRR-2017/7.a",
        "SRR-2017/9.a",
    ]
    methodology.refresh_from_db()
    assert (methodology.version, MethodologyVersion.objects.count()) == (1, 1)
    assert SubRisk.objects.get(reference="SRR-2017/3.a").rating.name == "Medium"


def test_confirming_a_stale_revision_writes_nothing(register_2017):
    methodology = register_2017.methodology
    change = current(register_2017)
    preview = methodology_preview(methodology=methodology, change=change)
    other = current(register_2017)
    other.matrix[1, 1] = "Medium"
    methodology_apply(methodology=methodology, change=other, user=None)

    with pytest.raises(StaleRevisionError):
        methodology_confirm(
            methodology=methodology,
            change=change,
            user=None,
            revision=preview.revision,
            digest=preview.digest,
        )

    assert MethodologyVersion.objects.count() == 2


def test_a_one_cell_change_writes_no_level_and_keeps_level_history_quiet():
    register = RegisterFactory()
    levels_before = LikelihoodLevel.history.count() + RatingLevel.history.count()
    change = current(register)
    change.matrix[3, 3] = "High"

    methodology_apply(methodology=register.methodology, change=change, user=None)

    assert LikelihoodLevel.history.count() + RatingLevel.history.count() == (
        levels_before
    )


def test_removed_levels_are_recorded_under_their_real_names(methodology_admin):
    register = RegisterFactory()
    change = current(register, reason="Three ratings")
    change.rating_levels = change.rating_levels[:3]
    change.likelihood_levels = change.likelihood_levels[:4]
    change.matrix = {
        key: "High" if rating == "Very High" else rating
        for key, rating in change.matrix.items()
        if key[0] <= 4
    }

    methodology_apply(
        methodology=register.methodology, change=change, user=methodology_admin
    )

    rating = RatingLevel.history.filter(history_type="-").get()
    level = LikelihoodLevel.history.filter(history_type="-").get()
    assert (rating.name, rating.history_user) == ("Very High", methodology_admin)
    assert (level.label, level.value) == ("Very High", 5)


@pytest.mark.parametrize(
    "edit, expected",
    [
        (
            lambda c: setattr(c, "name", " "),
            {"name": ["Give the methodology a name of 1 to 200 characters."]},
        ),
        (
            lambda c: c.impact_levels[0].update(label="x" * 51),
            {"impact_levels": ["A level's label has at most 50 characters."]},
        ),
        (
            lambda c: c.rating_levels[0].update(rank=21),
            {"rating_levels": ["Ranks run from 1 to 20."]},
        ),
        (
            lambda c: c.rating_levels[0].update(review_interval_days=0),
            {
                "rating_levels": [
                    "A review interval is a whole number of days, at least 1, or empty."
                ]
            },
        ),
        (
            lambda c: c.matrix.update({(2, 2): "Severe"}),
            {
                "matrix": [
                    "Cells naming no rating level: 2 x 2 ('Severe'); use one of "
                    "Low, Medium, High, Very High."
                ]
            },
        ),
        (
            lambda c: c.matrix.update({(1, 6): "Low"}),
            {"matrix": ["Cells outside the 5 x 5 scales: 1 x 6."]},
        ),
    ],
)
def test_validation_names_the_part_at_fault(edit, expected):
    register = RegisterFactory()
    change = current(register)
    edit(change)

    assert refused(register, change) == expected


def test_bands_starting_at_the_same_score_are_refused():
    with pytest.raises(ValidationError) as error:
        matrix_from_bands(
            likelihood_values=[1, 2, 3],
            impact_values=[1, 2, 3],
            bands=[(1, "Low"), (4, "Medium"), (4, "High")],
        )

    assert error.value.message_dict == {
        "bands": ["Two bands cannot start at the same score."]
    }


def apply_queries(count):
    register = RegisterFactory()
    area = RiskAreaFactory(register=register)
    for index in range(count):
        SubRiskFactory(
            area=area, likelihood_value=index % 5 + 1, impact_value=index // 5 % 5 + 1
        )
    change = current(register)
    for key in change.matrix:
        change.matrix[key] = "Very High"
    with CaptureQueriesContext(connection) as queries:
        result = methodology_apply(
            methodology=register.methodology, change=change, user=None
        )
    return len(queries), len(result.changes)


def test_applying_a_change_runs_the_same_queries_for_any_number_of_sub_risks():
    few, few_changed = apply_queries(10)
    many, many_changed = apply_queries(60)

    assert (few_changed, many_changed) == (10, 54)
    assert few == many


def test_archived_subrisks_are_rated_again_but_left_out_of_what_is_reported(
    register_2017,
):
    methodology = register_2017.methodology
    archived = SubRisk.objects.get(reference="SRR-2017/7.a")
    SubRisk.objects.filter(pk=archived.pk).update(archived_at="2020-01-01T00:00Z")
    change = current(register_2017)
    change.matrix[3, 3] = "High"

    preview = methodology_preview(methodology=methodology, change=change)
    applied = methodology_apply(methodology=methodology, change=change, user=None)

    assert [c.reference for c in preview.changes] == [
        "SRR-2017/3.a",
        "SRR-2017/4.a",
    ]
    assert applied.changes == preview.changes
    live = SubRisk.objects.active()
    assert sum(preview.counts_before.values()) == live.count()
    assert sum(preview.counts_after.values()) == live.count()
    assert preview.counts_after["High"] - preview.counts_before["High"] == 2
    assert SubRisk.objects.get(pk=archived.pk).rating.name == "High"
