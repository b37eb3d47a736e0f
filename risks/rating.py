"""The one place where a rating is derived from a likelihood and an impact.

A register's methodology holds a matrix with one cell for every pair of likelihood
and impact levels; each cell names a rating level. A sub-risk's rating is the rating
of the cell at its likelihood and impact, nothing else: no score arithmetic, no
defaults. Stored ratings are a cache of that lookup, kept in step whenever a
sub-risk's levels or the matrix change, and each records the methodology version
that produced it.
"""

from django.db import models
from django.db.models import OuterRef, Subquery

from risks.models import MatrixCell, Methodology, RatingLevel, SubRisk


class MatrixIncompleteError(Exception):
    """The matrix has no cell for a likelihood and impact pair."""


class Matrix:
    """A methodology's matrix held in memory, for rating many sub-risks at once."""

    def __init__(self, methodology_id, version, cells):
        self.methodology_id = methodology_id
        self.version = version
        self._ratings = {
            (cell.likelihood_id, cell.impact_id): cell.rating for cell in cells
        }

    @classmethod
    def for_methodology_id(cls, methodology_id):
        version = (
            Methodology.objects.filter(pk=methodology_id)
            .values_list("version", flat=True)
            .get()
        )
        cells = MatrixCell.objects.filter(methodology_id=methodology_id).select_related(
            "rating"
        )
        return cls(methodology_id, version, cells)

    def rating_for(self, likelihood_id, impact_id) -> RatingLevel:
        try:
            return self._ratings[likelihood_id, impact_id]
        except KeyError:
            raise MatrixIncompleteError(
                "The matrix has no cell for this likelihood and impact."
            ) from None

    def rate(self, subrisk):
        subrisk.rating = self.rating_for(subrisk.likelihood_id, subrisk.impact_id)
        subrisk.methodology_version = self.version


def rating_for(*, likelihood, impact) -> RatingLevel:
    """Looks up the matrix cell for a likelihood and impact and returns its rating."""
    if likelihood.methodology_id != impact.methodology_id:
        raise MatrixIncompleteError(
            "The likelihood and the impact belong to different methodologies."
        )
    try:
        cell = MatrixCell.objects.select_related("rating").get(
            likelihood=likelihood, impact=impact
        )
    except MatrixCell.DoesNotExist:
        raise MatrixIncompleteError(
            f"The matrix has no cell for likelihood {likelihood.label} and "
            f"impact {impact.label}."
        ) from None
    return cell.rating


def rate_subrisk(subrisk):
    """Sets a sub-risk's rating and methodology version from the matrix."""
    subrisk.rating = rating_for(likelihood=subrisk.likelihood, impact=subrisk.impact)
    subrisk.methodology_version = (
        Methodology.objects.filter(pk=subrisk.likelihood.methodology_id)
        .values_list("version", flat=True)
        .get()
    )


def recompute_ratings(subrisks):
    """Rates the given sub-risks again from their matrix, in one UPDATE per methodology.

    Returns the number of rows updated.
    """
    cell_rating = MatrixCell.objects.filter(
        likelihood=OuterRef("likelihood"), impact=OuterRef("impact")
    ).values("rating")[:1]
    methodologies = Methodology.objects.filter(
        likelihood_levels__subrisks__in=subrisks
    ).distinct()
    count = 0
    for methodology_id, version in methodologies.values_list("pk", "version"):
        rows = SubRisk.objects.filter(
            pk__in=subrisks.values("pk"), likelihood__methodology_id=methodology_id
        )
        count += models.QuerySet.update(
            rows, rating=Subquery(cell_rating), methodology_version=version
        )
    return count
