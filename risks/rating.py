"""The one place where a rating is derived from a likelihood and an impact.

A register's methodology holds a matrix with one cell for every pair of likelihood
and impact levels; each cell names a rating level. A sub-risk's rating is the rating
of the cell at its likelihood and impact, nothing else: no score arithmetic, no
defaults. Stored ratings are a cache of that lookup, kept in step whenever a
sub-risk's levels or the matrix change, and each records the methodology version
that produced it.
"""

from django.db import connection, models
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

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
    """Sets a sub-risk's rating and methodology version from the matrix.

    Call it inside a transaction: it locks the methodology row until the end.
    """
    # The lock makes a save wait for a methodology change in progress, and the
    # change wait for this save, so no rating comes from a matrix being replaced.
    subrisk.methodology_version = (
        Methodology.objects.select_for_update()
        .filter(pk=subrisk.likelihood.methodology_id)
        .values_list("version", flat=True)
        .get()
    )
    subrisk.rating = rating_for(likelihood=subrisk.likelihood, impact=subrisk.impact)


def recompute_ratings(subrisks, *, user=None, reason=""):
    """Rates the given sub-risks again from their matrix; returns the rows updated.

    One UPDATE per methodology, whatever the number of sub-risks; sub-risks whose
    rating changes get a history entry with `user` and `reason`.
    """
    methodologies = Methodology.objects.filter(
        likelihood_levels__subrisks__in=subrisks
    ).distinct()
    count = 0
    for methodology_id, version in methodologies.values_list("pk", "version"):
        rows = SubRisk.objects.filter(
            pk__in=subrisks.values("pk"), likelihood__methodology_id=methodology_id
        )
        count += _rerate(rows, version, user=user, reason=reason)
    return count


def rerate_methodology(
    methodology, *, user=None, reason="", also_record=(), changed=None
):
    """Rates every sub-risk of a methodology again, after its matrix changed.

    Sub-risks whose rating changes get a history entry, and so do those in
    `also_record` (ids), e.g. sub-risks moved off a removed scale level.
    `changed` is the ids of the sub-risks whose rating changes, if the caller
    already asked `rating_changes`.
    """
    rows = SubRisk.objects.filter(likelihood__methodology=methodology)
    return _rerate(
        rows,
        methodology.version,
        user=user,
        reason=reason,
        also_record=also_record,
        changed=changed,
    )


def rating_changes(rows, *fields):
    """The rows whose stored rating is not their matrix cell's, in one query.

    Returns tuples (pk, stored rating id, matrix rating id, *fields), in the
    rows' order.
    """
    return list(
        rows.annotate(matrix_rating=Subquery(_cell_rating()))
        .exclude(rating=F("matrix_rating"))
        .values_list("pk", "rating_id", "matrix_rating", *fields)
    )


def _cell_rating():
    # No ordering: the matrix's default one would join both scales for every row.
    return (
        MatrixCell.objects.filter(
            likelihood=OuterRef("likelihood"), impact=OuterRef("impact")
        )
        .order_by()
        .values("rating")[:1]
    )


def _rerate(rows, version, *, user, reason, also_record=(), changed=None):
    if changed is None:
        changed = rows.exclude(rating=Subquery(_cell_rating())).values_list(
            "pk", flat=True
        )
    changed = list(changed)
    changed += sorted(set(also_record) - set(changed))
    count = models.QuerySet.update(
        rows, rating=Subquery(_cell_rating()), methodology_version=version
    )
    if changed:
        _record_history(
            changed, user=user, reason=reason or "Rated again by the matrix"
        )
    return count


def _record_history(ids, *, user, reason):
    """Copies the given sub-risks into their history table in one INSERT ... SELECT.

    The rows were changed by a bulk UPDATE, which django-simple-history cannot see.
    """
    history = SubRisk.history.model
    quote = connection.ops.quote_name
    source = quote(SubRisk._meta.db_table)
    given = {
        "history_date": timezone.now(),
        "history_change_reason": reason[:100],
        "history_type": "~",
        "history_user": user.pk if user else None,
    }
    columns, values, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.name == "history_id":
            continue
        columns.append(quote(field.column))
        if field.name in given:
            values.append("%s")
            params.append(given[field.name])
        else:
            values.append(f"{source}.{quote(field.column)}")
    # Identifiers come from model metadata and are quoted; values are parameters.
    table = quote(history._meta.db_table)
    insert = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
    insert += f"FROM {source} WHERE {source}.{quote('id')} "
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(insert + "= ANY(%s)", [*params, list(ids)])
            return
        # Limitation: other databases get batches of 500, because they have no arrays.
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(insert + f"IN ({marks})", [*params, *batch])
