"""Changing a register's methodology safely: validate, preview, apply, version.

`methodology_preview` runs exactly what `methodology_apply` runs, inside a
transaction that is then rolled back, so the preview of a change cannot differ from
what saving it does. Applying locks the methodology row; sub-risk saves take the
same lock (see `risks.rating.rate_subrisk`), so no rating can be computed from a
matrix that is being replaced.
"""

import hashlib
import json
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet

from risks.document import methodology_to_document
from risks.models import (
    ImpactLevel,
    LikelihoodLevel,
    MatrixCell,
    Methodology,
    MethodologyVersion,
    RatingLevel,
    SubRisk,
    colour_validator,
)
from risks.rating import rating_changes, rerate_methodology

logger = logging.getLogger(__name__)

MIN_LEVELS, MAX_LEVELS = 3, 7
MAX_RANK = 20
NAME_LENGTH, LABEL_LENGTH = 200, 50


@dataclass
class MethodologyChange:
    """A complete new state of a methodology, as a form or an API body gives it.

    Scale levels are matched to existing ones by value and rating levels by rank;
    `likelihood_mapping` and `impact_mapping` say where sub-risks on a removed
    level go (old value -> new value).
    """

    name: str
    likelihood_levels: list
    impact_levels: list
    rating_levels: list
    matrix: dict
    reason: str = ""
    likelihood_mapping: dict = field(default_factory=dict)
    impact_mapping: dict = field(default_factory=dict)

    @classmethod
    def from_document(cls, document, *, reason=""):
        """A change to the state described by a register document's methodology."""
        return cls(
            name=document["name"],
            likelihood_levels=[dict(level) for level in document["likelihood_levels"]],
            impact_levels=[dict(level) for level in document["impact_levels"]],
            rating_levels=[dict(level) for level in document["rating_levels"]],
            matrix={
                (cell["likelihood"], cell["impact"]): cell["rating"]
                for cell in document["matrix"]
            },
            reason=reason,
        )

    def to_data(self):
        """The change as JSON-safe data, e.g. for a signed preview payload."""
        return {
            "name": self.name,
            "likelihood_levels": self.likelihood_levels,
            "impact_levels": self.impact_levels,
            "rating_levels": self.rating_levels,
            "matrix": [
                [likelihood, impact, rating]
                for (likelihood, impact), rating in sorted(self.matrix.items())
            ],
            "reason": self.reason,
            "likelihood_mapping": sorted(self.likelihood_mapping.items()),
            "impact_mapping": sorted(self.impact_mapping.items()),
        }

    @classmethod
    def from_data(cls, data):
        """The change `to_data` described."""
        return cls(
            name=data["name"],
            likelihood_levels=data["likelihood_levels"],
            impact_levels=data["impact_levels"],
            rating_levels=data["rating_levels"],
            matrix={
                (likelihood, impact): rating
                for likelihood, impact, rating in data["matrix"]
            },
            reason=data["reason"],
            likelihood_mapping=dict(map(tuple, data["likelihood_mapping"])),
            impact_mapping=dict(map(tuple, data["impact_mapping"])),
        )


@dataclass
class RatingChange:
    reference: str
    statement: str
    old: str
    new: str


@dataclass
class MethodologyPreview:
    """What a change does: `version` is the version it makes, `revision` the
    methodology revision it was computed against."""

    changes: list
    counts_before: dict
    counts_after: dict
    warnings: list
    version: int
    revision: int = 0

    @property
    def digest(self):
        """A fingerprint of the rating changes, to tell whether they still hold."""
        return changes_digest(self.changes)


class PreviewOutdatedError(Exception):
    """Saving a change would now change other ratings than its preview showed."""

    def __init__(self, result):
        self.result = result
        super().__init__(
            "The ratings this change affects have changed since the preview."
        )


class _Rollback(Exception):
    pass


def changes_digest(changes):
    data = [[c.reference, c.old, c.new] for c in changes]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def matrix_from_bands(*, likelihood_values, impact_values, bands):
    """A matrix from score bands: `bands` is [(lowest score, rating name), ...].

    The score of a cell is likelihood x impact; each cell gets the rating of the
    highest band whose lowest score it reaches.
    """
    ordered = sorted(bands)
    if not ordered or ordered[0][0] > 1:
        raise ValidationError({"bands": "The lowest band must start at score 1."})
    scores = [lowest for lowest, _ in ordered]
    if len(set(scores)) != len(scores):
        raise ValidationError({"bands": "Two bands cannot start at the same score."})
    matrix = {}
    for likelihood in likelihood_values:
        for impact in impact_values:
            score = likelihood * impact
            matrix[likelihood, impact] = [
                name for lowest, name in ordered if score >= lowest
            ][-1]
    return matrix


def monotonic_warnings(change):
    """Cells rated lower than a neighbour with a smaller likelihood or impact."""
    ranks = {level["name"]: level["rank"] for level in change.rating_levels}
    warnings = []
    for (likelihood, impact), name in sorted(change.matrix.items()):
        rank = ranks.get(name)
        for neighbour in ((likelihood - 1, impact), (likelihood, impact - 1)):
            other = change.matrix.get(neighbour)
            if rank is not None and other in ranks and ranks[other] > rank:
                warnings.append(
                    f"Cell likelihood {likelihood} x impact {impact} is rated "
                    f"{name}, lower than {other} at likelihood {neighbour[0]} x "
                    f"impact {neighbour[1]}."
                )
    return warnings


def validate_change(change, methodology):
    """Raises ValidationError naming every problem of a proposed methodology."""
    errors = {}
    if not change.name.strip() or len(change.name) > NAME_LENGTH:
        errors["name"] = (
            f"Give the methodology a name of 1 to {NAME_LENGTH} characters."
        )
    for scale in ("likelihood_levels", "impact_levels"):
        levels = getattr(change, scale)
        values = [level["value"] for level in levels]
        labels = [level["label"].strip() for level in levels]
        if not MIN_LEVELS <= len(levels) <= MAX_LEVELS:
            errors[scale] = (
                f"A scale has {MIN_LEVELS} to {MAX_LEVELS} levels; this one has "
                f"{len(levels)}."
            )
        elif sorted(values) != list(range(1, len(levels) + 1)):
            errors[scale] = "Level values must run 1, 2, 3 ... without gaps."
        elif not all(labels) or len(set(labels)) != len(labels):
            errors[scale] = "Every level needs a label of its own."
        elif max(map(len, labels)) > LABEL_LENGTH:
            errors[scale] = f"A level's label has at most {LABEL_LENGTH} characters."

    ratings = change.rating_levels
    names = [level["name"].strip() for level in ratings]
    if not ratings:
        errors["rating_levels"] = "Give at least one rating level."
    elif not all(names) or len(set(names)) != len(names):
        errors["rating_levels"] = "Every rating level needs a name of its own."
    elif max(map(len, names)) > LABEL_LENGTH:
        errors["rating_levels"] = (
            f"A rating level's name has at most {LABEL_LENGTH} characters."
        )
    elif len({level["rank"] for level in ratings}) != len(ratings):
        errors["rating_levels"] = "Every rating level needs a rank of its own."
    elif not all(1 <= level["rank"] <= MAX_RANK for level in ratings):
        errors["rating_levels"] = f"Ranks run from 1 to {MAX_RANK}."
    elif any(
        level.get("review_interval_days") is not None
        and level["review_interval_days"] < 1
        for level in ratings
    ):
        errors["rating_levels"] = (
            "A review interval is a whole number of days, at least 1, or empty."
        )
    else:
        # Any colour meets WCAG AA (4.5:1) with black or white text, and badges
        # always use the better of the two, so only the format needs checking.
        for level in ratings:
            if not colour_validator.regex.match(level["colour"] or ""):
                errors["rating_levels"] = (
                    f"{level['name']}: give the colour as #rrggbb, not "
                    f"'{level['colour']}'."
                )
                break

    if not errors:
        likelihoods = range(1, len(change.likelihood_levels) + 1)
        impacts = range(1, len(change.impact_levels) + 1)
        outside = [
            f"{likelihood} x {impact}"
            for likelihood, impact in sorted(change.matrix)
            if likelihood not in likelihoods or impact not in impacts
        ]
        unknown = [
            f"{likelihood} x {impact} ('{rating}')"
            for (likelihood, impact), rating in sorted(change.matrix.items())
            if rating and rating not in names
        ]
        missing = [
            f"{likelihood} x {impact}"
            for likelihood in likelihoods
            for impact in impacts
            if not change.matrix.get((likelihood, impact))
        ]
        if outside:
            errors["matrix"] = (
                f"Cells outside the {len(likelihoods)} x {len(impacts)} scales: "
                f"{', '.join(outside)}."
            )
        elif unknown:
            errors["matrix"] = (
                f"Cells naming no rating level: {', '.join(unknown)}; use one of "
                f"{', '.join(names)}."
            )
        elif missing:
            errors["matrix"] = (
                f"Choose a rating for every cell; missing: {', '.join(missing)}."
            )

    for scale, model, mapping in (
        ("likelihood_levels", LikelihoodLevel, change.likelihood_mapping),
        ("impact_levels", ImpactLevel, change.impact_mapping),
    ):
        if scale in errors:
            continue
        kept = {level["value"] for level in getattr(change, scale)}
        removed = (
            model.objects.filter(methodology=methodology)
            .exclude(value__in=kept)
            .order_by("value")
        )
        for level in removed:
            used = level.subrisks.count()
            target = mapping.get(level.value)
            if used and target not in kept:
                errors.setdefault(scale, "")
                errors[scale] = (
                    errors[scale]
                    + f" Level {level.value} ({level.label}) is used by {used} "
                    "sub-risk(s): map them to a remaining level first."
                ).strip()
    if errors:
        raise ValidationError(errors)


def _upsert_levels(model, methodology, levels, user):
    """Updates scale levels by value and creates new ones; returns {value: level}.

    Only levels that change are written (and so get a history entry). Labels that
    change, and those of levels to be removed, are first set to placeholders so
    that swapping two labels never trips the unique constraint; removed levels
    are left for `_remove_levels`, which restores their label in memory so their
    deletion is recorded under their real name.
    """
    existing = {
        level.value: level for level in model.objects.filter(methodology=methodology)
    }
    wanted = {fields["value"]: fields for fields in levels}
    originals = {value: level.label for value, level in existing.items()}
    moving = [
        level
        for value, level in existing.items()
        if value not in wanted or wanted[value]["label"].strip() != level.label
    ]
    for level in moving:
        level.label = f"~{level.value}~"
    model.objects.bulk_update(moving, ["label"])
    kept = {}
    for value, fields in wanted.items():
        level = existing.get(value) or model(methodology=methodology, value=value)
        label, definition = fields["label"].strip(), fields.get("definition", "")
        if level.pk is None or (level.label, level.definition) != (label, definition):
            level.label, level.definition = label, definition
            level._history_user = user
            level.save()
        kept[value] = level
    return kept, originals


def _remove_levels(model, methodology, kept, mapping, originals, user):
    """Moves sub-risks off removed levels as mapped, then deletes those levels.

    Returns the ids of the sub-risks moved, whose history must record the move.
    """
    field_name = "likelihood" if model is LikelihoodLevel else "impact"
    removed = model.objects.filter(methodology=methodology).exclude(
        pk__in=[level.pk for level in kept.values()]
    )
    moved = []
    for level in removed:
        target = kept.get(mapping.get(level.value))
        if target is not None:
            on_level = SubRisk.objects.filter(**{field_name: level})
            moved.extend(on_level.values_list("pk", flat=True))
            # The plain update: ratings are recomputed once, after every change.
            QuerySet.update(on_level, **{field_name: target})
        MatrixCell.objects.filter(**{field_name: level}).delete()
        level.label = originals[level.value]
        level._history_user = user
        level.delete()
    return moved


def _upsert_rating_levels(methodology, levels, user):
    """Updates rating levels by rank and creates new ones, writing only changes.

    Returns {name: level} of the levels kept and the levels to remove, which keep
    their real name in memory for the history of their deletion.
    """
    existing = {level.rank: level for level in methodology.rating_levels.all()}
    wanted = {fields["rank"]: fields for fields in levels}
    originals = {rank: level.name for rank, level in existing.items()}
    moving = [
        level
        for rank, level in existing.items()
        if rank not in wanted or wanted[rank]["name"].strip() != level.name
    ]
    for level in moving:
        level.name = f"~{level.rank}~"
    RatingLevel.objects.bulk_update(moving, ["name"])
    kept = {}
    for rank, fields in wanted.items():
        level = existing.get(rank) or RatingLevel(methodology=methodology, rank=rank)
        values = {
            "name": fields["name"].strip(),
            "colour": fields["colour"],
            "description": fields.get("description", ""),
            "review_interval_days": fields.get("review_interval_days"),
        }
        if level.pk is None or any(
            getattr(level, name) != value for name, value in values.items()
        ):
            for name, value in values.items():
                setattr(level, name, value)
            level._history_user = user
            level.save()
        kept[level.name] = level
    removed = [level for rank, level in existing.items() if rank not in wanted]
    for level in removed:
        level.name = originals[level.rank]
        level._history_user = user
    return kept, removed


def _write_cells(methodology, likelihoods, impacts, ratings, matrix):
    existing = {
        (cell.likelihood_id, cell.impact_id): cell
        for cell in MatrixCell.objects.filter(methodology=methodology)
    }
    changed, created = [], []
    for (likelihood, impact), name in matrix.items():
        if likelihood not in likelihoods or impact not in impacts:
            continue
        key = (likelihoods[likelihood].pk, impacts[impact].pk)
        rating = ratings[name]
        cell = existing.get(key)
        if cell is None:
            created.append(
                MatrixCell(
                    methodology=methodology,
                    likelihood=likelihoods[likelihood],
                    impact=impacts[impact],
                    rating=rating,
                )
            )
        elif cell.rating_id != rating.pk:
            cell.rating = rating
            changed.append(cell)
    MatrixCell.objects.bulk_update(changed, ["rating"])
    MatrixCell.objects.bulk_create(created)


def _apply(methodology, change, user):
    """Writes a validated change; returns the rating changes it caused."""
    subrisks = SubRisk.objects.filter(likelihood__methodology=methodology)
    old_levels = {level.pk: level for level in methodology.rating_levels.all()}
    # Archived sub-risks are rated again too, ready for a restore, but what is
    # reported (changes and counts) is the register as its readers see it.
    before = Counter(
        dict(
            subrisks.active()
            .order_by()
            .values_list("rating")
            .annotate(count=Count("pk"))
            .values_list("rating", "count")
        )
    )

    likelihoods, likelihood_labels = _upsert_levels(
        LikelihoodLevel, methodology, change.likelihood_levels, user
    )
    impacts, impact_labels = _upsert_levels(
        ImpactLevel, methodology, change.impact_levels, user
    )
    ratings, removed_ratings = _upsert_rating_levels(
        methodology, change.rating_levels, user
    )
    _write_cells(methodology, likelihoods, impacts, ratings, change.matrix)
    moved = _remove_levels(
        LikelihoodLevel,
        methodology,
        likelihoods,
        change.likelihood_mapping,
        likelihood_labels,
        user,
    )
    moved += _remove_levels(
        ImpactLevel, methodology, impacts, change.impact_mapping, impact_labels, user
    )

    methodology.name = change.name
    methodology.version += 1
    methodology.revision += 1
    methodology._history_user = user
    methodology.save()
    pending = rating_changes(
        subrisks.order_by("area__number", "order", "key"),
        "reference",
        "statement",
        "archived_at",
        "area__archived_at",
    )
    rerate_methodology(
        methodology,
        user=user,
        reason=f"Methodology version {methodology.version}: {change.reason}".rstrip(
            ": "
        ),
        also_record=moved,
        changed=[pk for pk, *_ in pending],
    )
    for level in removed_ratings:
        level.delete()
    MethodologyVersion.objects.create(
        methodology=methodology,
        version=methodology.version,
        created_by=user,
        reason=change.reason,
        snapshot=methodology_to_document(methodology),
    )

    new_levels = {level.pk: level for level in ratings.values()}
    shown = [
        (old, new, reference, statement)
        for _, old, new, reference, statement, archived, area_archived in pending
        if archived is None and area_archived is None
    ]
    after = before.copy()
    for old, new, *_ in shown:
        after[old] -= 1
        after[new] += 1
    return (
        [
            RatingChange(
                reference, statement, old_levels[old].name, new_levels[new].name
            )
            for old, new, reference, statement in shown
        ],
        _named_counts(before, old_levels),
        _named_counts(after, new_levels),
    )


def _named_counts(counts, levels):
    """{rating name: sub-risks} in rank order, from counts by rating level id."""
    ordered = sorted(levels.values(), key=lambda level: level.rank)
    return {level.name: counts[level.pk] for level in ordered if counts[level.pk]}


def _locked(methodology):
    return Methodology.objects.select_for_update().get(pk=methodology.pk)


def methodology_preview(*, methodology, change, user=None) -> MethodologyPreview:
    """What applying `change` would do, computed by applying it and rolling back."""
    validate_change(change, methodology)
    result = None
    try:
        with transaction.atomic():
            locked = _locked(methodology)
            revision = locked.revision
            changes, before, after = _apply(locked, change, user)
            result = MethodologyPreview(
                changes=changes,
                counts_before=dict(before),
                counts_after=dict(after),
                warnings=monotonic_warnings(change),
                version=locked.version,
                revision=revision,
            )
            raise _Rollback
    except _Rollback:
        pass
    return result


@transaction.atomic
def methodology_apply(
    *, methodology, change, user, revision=None
) -> MethodologyPreview:
    """Saves a new methodology version and rates every affected sub-risk again."""
    validate_change(change, methodology)
    locked = _locked(methodology)
    if revision is not None and locked.revision != revision:
        from risks.services import StaleRevisionError

        raise StaleRevisionError(locked)
    revision = locked.revision
    changes, before, after = _apply(locked, change, user)
    logger.info(
        "Methodology of %s saved as version %d; %d ratings changed",
        locked.register.reference,
        locked.version,
        len(changes),
    )
    return MethodologyPreview(
        changes=changes,
        counts_before=dict(before),
        counts_after=dict(after),
        warnings=monotonic_warnings(change),
        version=locked.version,
        revision=revision,
    )


@transaction.atomic
def methodology_confirm(
    *, methodology, change, user, revision, digest
) -> MethodologyPreview:
    """Saves a previewed change only if it still does exactly what the preview showed.

    `revision` is the methodology revision and `digest` the fingerprint of the
    preview's rating changes. Raises `StaleRevisionError` when the methodology
    changed since, and `PreviewOutdatedError` (with the new outcome) when sub-risk
    edits since the preview mean other ratings would change; nothing is written
    in either case.
    """
    result = methodology_apply(
        methodology=methodology, change=change, user=user, revision=revision
    )
    if result.digest != digest:
        raise PreviewOutdatedError(result)
    return result
