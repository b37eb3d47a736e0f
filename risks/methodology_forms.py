"""The methodology editor's forms: scales, rating levels, the matrix grid, score
bands and copying from another register.

They work without JavaScript: changing the number of levels, filling the grid
from score bands or copying another register re-renders the editor with the
proposal so far (`Proposal`), and only previewing validates it completely, with
the same `validate_change` the API uses.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

from risks.document import methodology_to_document
from risks.methodology import (
    LABEL_LENGTH,
    MAX_LEVELS,
    MAX_RANK,
    MIN_LEVELS,
    NAME_LENGTH,
    MethodologyChange,
    matrix_from_bands,
    validate_change,
)
from risks.models import Register, colour_validator
from risks.versions import RatingLook

MAX_RATING_LEVELS = 10
NEW_RATING_COLOUR = "#6b7280"
SCALES = {"likelihood": "Likelihood", "impact": "Settlement impact"}
SECTIONS = {
    "name": "Name",
    "likelihood_levels": "Likelihood scale",
    "impact_levels": "Settlement impact scale",
    "rating_levels": "Rating levels",
    "matrix": "Matrix",
    "bands": "Score bands",
}


@dataclass
class Proposal:
    """What the editor shows: a methodology state, possibly half-finished.

    Scale levels are numbered by position (1 is the lowest); rating levels are
    rows in rank order, and matrix cells name a rating row, so renaming a rating
    keeps the cells that use it. Values are kept as typed until validation.
    """

    name: str
    likelihood_levels: list
    impact_levels: list
    rating_levels: list
    matrix: dict
    likelihood_mapping: dict
    impact_mapping: dict
    revision: int | None

    @classmethod
    def from_change(cls, change, *, revision):
        ratings = sorted(change.rating_levels, key=lambda level: level["rank"])
        rows = {level["name"]: row for row, level in enumerate(ratings, start=1)}
        return cls(
            name=change.name,
            likelihood_levels=_scale(change.likelihood_levels),
            impact_levels=_scale(change.impact_levels),
            rating_levels=[
                {
                    "rank": level["rank"],
                    "name": level["name"],
                    "colour": level["colour"],
                    "description": level.get("description", ""),
                    "review_interval_days": level.get("review_interval_days"),
                }
                for level in ratings
            ],
            matrix={key: rows.get(name) for key, name in change.matrix.items()},
            likelihood_mapping=dict(change.likelihood_mapping),
            impact_mapping=dict(change.impact_mapping),
            revision=revision,
        )

    @classmethod
    def from_methodology(cls, methodology):
        change = MethodologyChange.from_document(methodology_to_document(methodology))
        return cls.from_change(change, revision=methodology.revision)

    def initial(self):
        """The proposal as the editor form's initial values."""
        initial = {
            "revision": self.revision,
            "name": self.name,
            "likelihood_count": len(self.likelihood_levels),
            "impact_count": len(self.impact_levels),
            "rating_count": len(self.rating_levels),
        }
        for scale in SCALES:
            for value, level in enumerate(getattr(self, f"{scale}_levels"), start=1):
                initial[f"{scale}-{value}-label"] = level["label"]
                initial[f"{scale}-{value}-definition"] = level["definition"]
            for old, new in getattr(self, f"{scale}_mapping").items():
                initial[f"{scale}_mapping-{old}"] = new
        for row, level in enumerate(self.rating_levels, start=1):
            for name, value in level.items():
                initial[f"rating-{row}-{name}"] = value
        for (likelihood, impact), row in self.matrix.items():
            initial[f"cell-{likelihood}-{impact}"] = row
        return initial


def _scale(levels):
    return [
        {"label": level["label"], "definition": level.get("definition", "")}
        for level in sorted(levels, key=lambda level: level["value"])
    ]


def _whole(value, default=None):
    """A whole number from form data, or `default` if it is not one."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _clamped(value, low, high, default):
    number = _whole(value, default)
    return min(max(number, low), high)


class MethodologyForm(forms.Form):
    """The whole proposed methodology; its fields depend on the numbers of levels."""

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "The form lost the methodology revision it was opened at; "
            "open the editor again.",
            "invalid": "The form's revision is not a number; open the editor again.",
            "min_value": "The form's revision is not valid; open the editor again.",
        },
    )
    name = forms.CharField(max_length=NAME_LENGTH, label="Name")
    likelihood_count = forms.TypedChoiceField(
        coerce=int,
        label="Number of likelihood levels",
        choices=[(n, str(n)) for n in range(MIN_LEVELS, MAX_LEVELS + 1)],
    )
    impact_count = forms.TypedChoiceField(
        coerce=int,
        label="Number of settlement impact levels",
        choices=[(n, str(n)) for n in range(MIN_LEVELS, MAX_LEVELS + 1)],
    )
    rating_count = forms.TypedChoiceField(
        coerce=int,
        label="Number of rating levels",
        choices=[(n, str(n)) for n in range(1, MAX_RATING_LEVELS + 1)],
    )

    def __init__(self, data=None, *, methodology, proposal, used):
        """`used` maps "likelihood" and "impact" to [(value, label, sub-risks)] of
        the stored levels that sub-risks use."""
        super().__init__(data, initial=proposal.initial())
        self.methodology = methodology
        self.proposal = proposal
        self.used = used
        self.section_errors = {}
        self.change = None
        for name in ("likelihood_count", "impact_count", "rating_count"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"{self.fields[name].label}: '%(value)s' is not a choice."
            )
        self.counts = {
            "likelihood": self._count("likelihood_count", MIN_LEVELS, MAX_LEVELS),
            "impact": self._count("impact_count", MIN_LEVELS, MAX_LEVELS),
            "rating": self._count("rating_count", 1, MAX_RATING_LEVELS),
        }
        for scale, title in SCALES.items():
            for value in range(1, self.counts[scale] + 1):
                self._add_level_fields(scale, title, value)
        for row in range(1, self.counts["rating"] + 1):
            self._add_rating_fields(row)
        choices = [("", "Choose a rating")] + [
            (row, self.rating_name(row)) for row in range(1, self.counts["rating"] + 1)
        ]
        for likelihood in range(1, self.counts["likelihood"] + 1):
            for impact in range(1, self.counts["impact"] + 1):
                self.fields[f"cell-{likelihood}-{impact}"] = forms.TypedChoiceField(
                    coerce=int,
                    empty_value=None,
                    required=False,
                    choices=choices,
                    label=f"Rating for likelihood {likelihood} "
                    f"({self.level_label('likelihood', likelihood)}) and "
                    f"settlement impact {impact} "
                    f"({self.level_label('impact', impact)})",
                    error_messages={
                        "invalid_choice": f"Cell {likelihood} x {impact}: "
                        "choose one of the rating levels."
                    },
                )
        for scale, title in SCALES.items():
            for value, label, count in self.removed_used(scale):
                self.fields[f"{scale}_mapping-{value}"] = forms.TypedChoiceField(
                    coerce=int,
                    label=f"Move the {count} sub-risk{'s' if count != 1 else ''} on "
                    f"{title.lower()} level {value} ({label}) to",
                    choices=[("", "Choose a level")]
                    + [
                        (new, f"{new} – {self.level_label(scale, new)}")
                        for new in range(1, self.counts[scale] + 1)
                    ],
                    error_messages={
                        "required": f"{title} level {value} ({label}) is used by "
                        f"{count} sub-risk{'s' if count != 1 else ''}: choose the "
                        "level to move them to.",
                        "invalid_choice": "Choose one of the remaining levels.",
                    },
                )

    def _count(self, name, low, high):
        default = self.initial[name]
        if not self.is_bound:
            return default
        return _clamped(self.data.get(name), low, high, default)

    def _raw(self, name, default=""):
        """A field's value as posted (bound) or as proposed (unbound)."""
        if self.is_bound:
            value = self.data.get(name)
            return default if value is None else value
        value = self.initial.get(name)
        return default if value is None else value

    def level_label(self, scale, value):
        return str(self._raw(f"{scale}-{value}-label")).strip() or f"level {value}"

    def rating_name(self, row):
        return str(self._raw(f"rating-{row}-name")).strip() or f"Rating level {row}"

    def rating_look(self, row):
        colour = str(self._raw(f"rating-{row}-colour", NEW_RATING_COLOUR)).strip()
        return RatingLook(self.rating_name(row), colour)

    def removed_used(self, scale):
        """Stored levels beyond the proposed scale that sub-risks use."""
        return [
            (value, label, count)
            for value, label, count in self.used[scale]
            if value > self.counts[scale]
        ]

    def _add_level_fields(self, scale, title, value):
        self.fields[f"{scale}-{value}-label"] = forms.CharField(
            max_length=LABEL_LENGTH, label=f"{title} level {value}: label"
        )
        self.fields[f"{scale}-{value}-definition"] = forms.CharField(
            required=False,
            label=f"{title} level {value}: definition",
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def _add_rating_fields(self, row):
        prefix = f"rating-{row}-"
        title = f"Rating level {row}"
        self.fields[prefix + "name"] = forms.CharField(
            max_length=LABEL_LENGTH, label=f"{title}: name"
        )
        self.fields[prefix + "rank"] = forms.IntegerField(
            min_value=1, max_value=MAX_RANK, label=f"{title}: rank"
        )
        self.fields[prefix + "colour"] = forms.CharField(
            max_length=7,
            label=f"{title}: colour",
            validators=[colour_validator],
            help_text="#rrggbb; badges use black or white text, whichever reads "
            "better on it.",
            widget=forms.TextInput(attrs={"size": 8, "data-colour": row}),
        )
        self.fields[prefix + "description"] = forms.CharField(
            required=False,
            label=f"{title}: description",
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        self.fields[prefix + "review_interval_days"] = forms.IntegerField(
            required=False,
            min_value=1,
            max_value=3660,
            label=f"{title}: review interval in days",
            help_text="Empty for no review reminder.",
        )
        if not self.is_bound and self.initial.get(prefix + "rank") is None:
            self.initial[prefix + "rank"] = row
            self.initial[prefix + "colour"] = NEW_RATING_COLOUR

    # ---- Rendering -------------------------------------------------------------

    def scale_rows(self, scale):
        return [
            {
                "value": value,
                "label": self[f"{scale}-{value}-label"],
                "definition": self[f"{scale}-{value}-definition"],
            }
            for value in range(1, self.counts[scale] + 1)
        ]

    @property
    def likelihood_rows(self):
        return self.scale_rows("likelihood")

    @property
    def impact_rows(self):
        return self.scale_rows("impact")

    @property
    def rating_rows(self):
        return [
            {
                "row": row,
                "look": self.rating_look(row),
                **{
                    name: self[f"rating-{row}-{name}"]
                    for name in (
                        "name",
                        "rank",
                        "colour",
                        "description",
                        "review_interval_days",
                    )
                },
            }
            for row in range(1, self.counts["rating"] + 1)
        ]

    @property
    def impact_headings(self):
        return [
            {"value": value, "label": self.level_label("impact", value)}
            for value in range(1, self.counts["impact"] + 1)
        ]

    @property
    def grid(self):
        """The matrix editor's rows, most likely first, each cell with its select."""
        rows = []
        for likelihood in range(self.counts["likelihood"], 0, -1):
            cells = []
            for impact in range(1, self.counts["impact"] + 1):
                name = f"cell-{likelihood}-{impact}"
                row = _whole(self._raw(name))
                look = (
                    self.rating_look(row)
                    if row and 1 <= row <= self.counts["rating"]
                    else None
                )
                cells.append({"impact": impact, "field": self[name], "look": look})
            rows.append(
                {
                    "value": likelihood,
                    "label": self.level_label("likelihood", likelihood),
                    "cells": cells,
                }
            )
        return rows

    @property
    def mapping_fields(self):
        return [self[name] for name in self.fields if "_mapping-" in name]

    @property
    def field_errors(self):
        """(field, message) for the error summary, in the order of the page."""
        return [
            (self[name], message)
            for name in self.fields
            if name in self.errors
            for message in self.errors[name]
        ]

    # ---- Validation ------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        change = self._change(cleaned)
        try:
            validate_change(change, self.methodology)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                self.section_errors[key] = messages
                for message in messages:
                    self.add_error(None, f"{SECTIONS.get(key, key)}: {message}")
        else:
            self.change = change
        return cleaned

    def _change(self, cleaned):
        ratings = {
            row: {
                name: cleaned[f"rating-{row}-{name}"]
                for name in (
                    "rank",
                    "name",
                    "colour",
                    "description",
                    "review_interval_days",
                )
            }
            for row in range(1, self.counts["rating"] + 1)
        }
        for level in ratings.values():
            level["name"] = level["name"].strip()
        matrix = {}
        for likelihood in range(1, self.counts["likelihood"] + 1):
            for impact in range(1, self.counts["impact"] + 1):
                row = cleaned[f"cell-{likelihood}-{impact}"]
                matrix[likelihood, impact] = ratings[row]["name"] if row else ""
        return MethodologyChange(
            name=cleaned["name"].strip(),
            likelihood_levels=self._levels(cleaned, "likelihood"),
            impact_levels=self._levels(cleaned, "impact"),
            rating_levels=list(ratings.values()),
            matrix=matrix,
            likelihood_mapping=self._mapping(cleaned, "likelihood"),
            impact_mapping=self._mapping(cleaned, "impact"),
        )

    def _levels(self, cleaned, scale):
        return [
            {
                "value": value,
                "label": cleaned[f"{scale}-{value}-label"].strip(),
                "definition": cleaned[f"{scale}-{value}-definition"].strip(),
            }
            for value in range(1, self.counts[scale] + 1)
        ]

    def _mapping(self, cleaned, scale):
        prefix = f"{scale}_mapping-"
        return {
            int(name.removeprefix(prefix)): value
            for name, value in cleaned.items()
            if name.startswith(prefix)
        }

    # ---- The proposal so far ---------------------------------------------------

    def raw_proposal(self):
        """The posted proposal as typed, at the posted numbers of levels."""

        def level(scale, value):
            return {
                "label": self._raw(f"{scale}-{value}-label"),
                "definition": self._raw(f"{scale}-{value}-definition"),
            }

        def rating(row):
            prefix = f"rating-{row}-"
            return {
                "rank": self._raw(prefix + "rank", row),
                "name": self._raw(prefix + "name"),
                "colour": self._raw(prefix + "colour", NEW_RATING_COLOUR),
                "description": self._raw(prefix + "description"),
                "review_interval_days": self._raw(prefix + "review_interval_days"),
            }

        return Proposal(
            name=self._raw("name"),
            likelihood_levels=[
                level("likelihood", v) for v in range(1, self.counts["likelihood"] + 1)
            ],
            impact_levels=[
                level("impact", v) for v in range(1, self.counts["impact"] + 1)
            ],
            rating_levels=[rating(row) for row in range(1, self.counts["rating"] + 1)],
            matrix={
                (likelihood, impact): _whole(self._raw(f"cell-{likelihood}-{impact}"))
                for likelihood in range(1, self.counts["likelihood"] + 1)
                for impact in range(1, self.counts["impact"] + 1)
            },
            likelihood_mapping=self._raw_mapping("likelihood"),
            impact_mapping=self._raw_mapping("impact"),
            revision=_whole(self._raw("revision")),
        )

    def _raw_mapping(self, scale):
        mapping = {}
        for value, _, _ in self.removed_used(scale):
            target = _whole(self._raw(f"{scale}_mapping-{value}"))
            if target is not None:
                mapping[value] = target
        return mapping


class BandsForm(forms.Form):
    """Lowest scores (likelihood x impact) of each rating, to fill the grid from."""

    prefix = "bands"

    def __init__(self, data=None, *, ratings, proposal):
        """`ratings` is [(row, name)], in rank order."""
        super().__init__(data, initial=self._initial(proposal))
        self.ratings = ratings
        self.matrix = None
        for row, name in ratings:
            self.fields[f"band-{row}"] = forms.IntegerField(
                required=False,
                min_value=1,
                max_value=MAX_LEVELS * MAX_LEVELS,
                label=f"{name} from score",
            )

    @staticmethod
    def _initial(proposal):
        """Each rating's lowest score in the proposed grid, as a starting point."""
        lowest = {}
        for (likelihood, impact), row in proposal.matrix.items():
            if row is not None:
                score = likelihood * impact
                lowest[row] = min(score, lowest.get(row, score))
        return {f"band-{row}": score for row, score in lowest.items()}

    def fill(self, *, likelihoods, impacts):
        """Validates the bands and returns the grid they give, {(l, i): row}."""
        if not self.is_valid():
            return None
        bands = [
            (self.cleaned_data[f"band-{row}"], row)
            for row, _ in self.ratings
            if self.cleaned_data[f"band-{row}"] is not None
        ]
        try:
            self.matrix = matrix_from_bands(
                likelihood_values=range(1, likelihoods + 1),
                impact_values=range(1, impacts + 1),
                bands=bands,
            )
        except ValidationError as error:
            for messages in error.message_dict.values():
                for message in messages:
                    self.add_error(None, f"Score bands: {message}")
            return None
        return self.matrix


class CopyForm(forms.Form):
    """Another live register whose methodology becomes the proposal."""

    prefix = "copy"

    def __init__(self, data=None, *, register):
        super().__init__(data)
        self.fields["register"] = forms.ChoiceField(
            label="Register to copy from",
            choices=[("", "Choose a register")]
            + [
                (other.reference, f"{other.reference} – {other.name}")
                for other in Register.objects.filter(archived_at__isnull=True)
                .exclude(pk=register.pk)
                .order_by("reference")
            ],
            error_messages={
                "required": "Choose a register to copy the methodology from.",
                "invalid_choice": "Register to copy from: no live register has the "
                "reference '%(value)s'.",
            },
        )

    def source(self):
        """The chosen register's methodology, if the choice is valid."""
        if not self.is_valid():
            return None
        return (
            Register.objects.select_related("methodology")
            .get(reference=self.cleaned_data["register"])
            .methodology
        )


class ConfirmForm(forms.Form):
    payload = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Reason for the change",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded with the new version and in every changed rating's "
        "history.",
        error_messages={
            "required": "Reason for the change: say why the methodology changes; "
            "it is recorded with the version."
        },
    )


class CompareForm(forms.Form):
    """Two saved versions to compare, `from` the older state `to` the newer."""

    def __init__(self, data=None, *, versions):
        initial = {}
        if len(versions) > 1:
            initial = {"from": versions[-2], "to": versions[-1]}
        super().__init__(data, initial=initial)
        known = ", ".join(map(str, versions))
        for name, label in (("from", "From version"), ("to", "To version")):
            self.fields[name] = forms.TypedChoiceField(
                coerce=int,
                label=label,
                choices=[(number, f"Version {number}") for number in versions],
                error_messages={
                    "required": f"{label}: choose a version.",
                    "invalid_choice": f"{label}: there is no version '%(value)s'; "
                    f"the versions are {known}.",
                },
            )
