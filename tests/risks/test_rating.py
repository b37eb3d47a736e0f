import pytest

from risks.models import MatrixCell, SubRisk
from risks.rating import MatrixIncompleteError, rating_for, recompute_ratings
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory

pytestmark = pytest.mark.django_db


def levels(register, likelihood, impact):
    methodology = register.methodology
    return (
        methodology.likelihood_levels.get(value=likelihood),
        methodology.impact_levels.get(value=impact),
    )


@pytest.mark.parametrize(
    ("likelihood", "impact", "expected"),
    [
        (5, 1, "Low"),
        (1, 5, "Low"),
        (2, 4, "Medium"),
        (3, 3, "Medium"),
        (4, 3, "High"),
        (3, 4, "High"),
        (4, 4, "High"),
        (5, 4, "Very High"),
        (4, 5, "Very High"),
        (2, 5, "Medium"),
        (5, 5, "Very High"),
    ],
)
def test_rating_for_reads_the_default_matrix(likelihood, impact, expected):
    register = RegisterFactory()

    rating = rating_for(
        **dict(
            zip(
                ("likelihood", "impact"),
                levels(register, likelihood, impact),
                strict=True,
            )
        )
    )

    assert rating.name == expected


def test_rating_for_refuses_levels_of_two_methodologies():
    first, second = RegisterFactory(), RegisterFactory()
    likelihood, _ = levels(first, 3, 3)
    _, impact = levels(second, 3, 3)

    with pytest.raises(MatrixIncompleteError):
        rating_for(likelihood=likelihood, impact=impact)


def test_saving_a_subrisk_stores_the_matrix_rating():
    subrisk = SubRiskFactory(likelihood_value=4, impact_value=3)

    assert subrisk.rating.name == "High"
    assert subrisk.methodology_version == 1


def test_changing_likelihood_rates_again_on_save():
    subrisk = SubRiskFactory(likelihood_value=1, impact_value=4)
    subrisk.likelihood = subrisk.area.register.methodology.likelihood_levels.get(
        value=4
    )

    subrisk.save(update_fields=["likelihood"])

    subrisk.refresh_from_db()
    assert subrisk.rating.name == "High"


def test_queryset_update_of_levels_rates_again():
    area = RiskAreaFactory()
    SubRiskFactory.create_batch(3, area=area, likelihood_value=1, impact_value=5)
    high = area.register.methodology.likelihood_levels.get(value=5)

    SubRisk.objects.filter(area=area).update(likelihood=high)

    assert (
        list(SubRisk.objects.values_list("rating__name", flat=True))
        == ["Very High"] * 3
    )


def test_queryset_update_cannot_set_a_rating():
    subrisk = SubRiskFactory()

    with pytest.raises(ValueError, match="matrix"):
        SubRisk.objects.update(rating=subrisk.rating)


def test_editing_a_matrix_cell_rates_its_subrisks_again():
    area = RiskAreaFactory()
    inside = SubRiskFactory(area=area, likelihood_value=3, impact_value=3)
    outside = SubRiskFactory(area=area, likelihood_value=2, impact_value=3)
    cell = MatrixCell.objects.get(likelihood=inside.likelihood, impact=inside.impact)
    cell.rating = area.register.methodology.rating_levels.get(name="Very High")

    cell.save()

    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.rating.name, outside.rating.name) == ("Very High", "Medium")


def test_recompute_ratings_runs_one_update_per_methodology(django_assert_num_queries):
    area = RiskAreaFactory()
    SubRiskFactory.create_batch(20, area=area, likelihood_value=4, impact_value=4)
    MatrixCell.objects.filter(
        likelihood__value=4, impact__value=4, methodology=area.register.methodology
    ).update(rating=area.register.methodology.rating_levels.get(name="Low"))

    # The methodologies, the changed rows, the UPDATE, the history INSERT and,
    # outside a transaction, raising the content version.
    with django_assert_num_queries(5):
        count = recompute_ratings(SubRisk.objects.all(), reason="Cell 4 x 4 now Low")

    assert count == 20
    assert set(SubRisk.objects.values_list("rating__name", flat=True)) == {"Low"}
    latest = SubRisk.history.filter(history_change_reason="Cell 4 x 4 now Low")
    assert latest.count() == 20
    assert set(latest.values_list("rating__name", flat=True)) == {"Low"}
