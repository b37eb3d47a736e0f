"""Methodology states as data: grids to draw and how two states differ.

A state is the methodology section of a register document (see
`risks.document.methodology_to_document`), as a `MethodologyVersion` snapshot
stores it. Pages and the API compare versions, and a proposed change with the
current methodology, through `compare_states`.
"""

from dataclasses import dataclass, field

from riskregister.lib.colour import readable_text_colour
from risks.models import colour_validator


@dataclass(frozen=True)
class RatingLook:
    """What a badge needs to show a rating that may no longer be stored."""

    name: str
    colour: str
    rank: int = 0

    @property
    def text_colour(self):
        if not colour_validator.regex.match(self.colour or ""):
            return "#000000"
        return readable_text_colour(self.colour)


@dataclass(frozen=True)
class Level:
    value: int
    label: str
    definition: str = ""


def state_from_change(change):
    """The state a `MethodologyChange` proposes, shaped like a snapshot."""
    return {
        "name": change.name,
        "likelihood_levels": sorted(change.likelihood_levels, key=_value),
        "impact_levels": sorted(change.impact_levels, key=_value),
        "rating_levels": sorted(change.rating_levels, key=_rank),
        "matrix": [
            {"likelihood": likelihood, "impact": impact, "rating": rating}
            for (likelihood, impact), rating in sorted(
                change.matrix.items(), key=lambda item: (-item[0][0], item[0][1])
            )
        ],
    }


def rating_looks(state):
    """Rating name -> `RatingLook`, for every rating level of a state."""
    return {
        level["name"]: RatingLook(level["name"], level["colour"], level["rank"])
        for level in state["rating_levels"]
    }


def levels(state, scale):
    """The levels of one scale ("likelihood_levels" or "impact_levels")."""
    return [
        Level(level["value"], level["label"], level.get("definition", ""))
        for level in sorted(state[scale], key=_value)
    ]


def state_rows(state, notes=None):
    """The state's matrix as rows for a grid, most likely first.

    `notes` maps (likelihood, impact) to a short text shown in the cell, e.g. how
    it differs from another version.
    """
    looks = rating_looks(state)
    cells = {(c["likelihood"], c["impact"]): c["rating"] for c in state["matrix"]}
    impacts = levels(state, "impact_levels")
    notes = notes or {}
    return [
        {
            "likelihood": likelihood,
            "cells": [
                {
                    "impact": impact,
                    "rating": looks.get(cells.get((likelihood.value, impact.value))),
                    "note": notes.get((likelihood.value, impact.value), ""),
                }
                for impact in impacts
            ],
        }
        for likelihood in reversed(levels(state, "likelihood_levels"))
    ]


@dataclass
class CellDifference:
    likelihood: int
    impact: int
    old: str | None
    new: str | None

    @property
    def changed(self):
        return self.old != self.new


@dataclass
class ItemDifference:
    """A scale level (by value) or a rating level (by rank) in two states."""

    key: int
    old: dict | None
    new: dict | None
    fields: list = field(default_factory=list)

    @property
    def status(self):
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.fields else "unchanged"

    @property
    def changed(self):
        return self.status != "unchanged"


@dataclass
class Comparison:
    old_name: str
    new_name: str
    likelihood_levels: list
    impact_levels: list
    rating_levels: list
    cells: list

    @property
    def changed_cells(self):
        return [cell for cell in self.cells if cell.changed]

    @property
    def changed_items(self):
        """Scale and rating levels that differ, with the list each belongs to."""
        return [
            (kind, item)
            for kind, items in (
                ("likelihood", self.likelihood_levels),
                ("impact", self.impact_levels),
                ("rating", self.rating_levels),
            )
            for item in items
            if item.changed
        ]

    @property
    def has_changes(self):
        return bool(
            self.old_name != self.new_name or self.changed_cells or self.changed_items
        )

    def notes(self, side):
        """Cell notes for the grid of the "old" or the "new" state."""
        notes = {}
        for cell in self.changed_cells:
            key = (cell.likelihood, cell.impact)
            if side == "new":
                notes[key] = f"Changed, was {cell.old}" if cell.old else "New cell"
            else:
                notes[key] = f"Changes to {cell.new}" if cell.new else "Removed cell"
        return notes


SCALE_FIELDS = ["label", "definition"]
RATING_FIELDS = ["name", "colour", "description", "review_interval_days"]


def compare_states(old, new):
    """How state `new` differs from state `old`, cell by cell and level by level."""
    old_cells = {(c["likelihood"], c["impact"]): c["rating"] for c in old["matrix"]}
    new_cells = {(c["likelihood"], c["impact"]): c["rating"] for c in new["matrix"]}
    keys = sorted(old_cells.keys() | new_cells.keys(), key=lambda k: (-k[0], k[1]))
    return Comparison(
        old_name=old["name"],
        new_name=new["name"],
        likelihood_levels=_items(old, new, "likelihood_levels", "value", SCALE_FIELDS),
        impact_levels=_items(old, new, "impact_levels", "value", SCALE_FIELDS),
        rating_levels=_items(old, new, "rating_levels", "rank", RATING_FIELDS),
        cells=[
            CellDifference(*key, old_cells.get(key), new_cells.get(key)) for key in keys
        ],
    )


def difference_sentences(comparison):
    """The comparison in words, for pages: names, levels, rating levels, cells."""
    sentences = []
    if comparison.old_name != comparison.new_name:
        sentences.append(
            f"Name: “{comparison.old_name}” becomes “{comparison.new_name}”."
        )
    for title, items in (
        ("Likelihood", comparison.likelihood_levels),
        ("Settlement impact", comparison.impact_levels),
    ):
        for item in items:
            if item.status == "added":
                sentences.append(
                    f"{title} level {item.key} added: {item.new['label']}."
                )
            elif item.status == "removed":
                sentences.append(
                    f"{title} level {item.key} ({item.old['label']}) removed."
                )
            elif item.status == "changed":
                parts = []
                if "label" in item.fields:
                    parts.append(
                        f"label “{item.old['label']}” becomes “{item.new['label']}”"
                    )
                if "definition" in item.fields:
                    parts.append("definition changed")
                sentences.append(f"{title} level {item.key}: {', '.join(parts)}.")
    for item in comparison.rating_levels:
        if item.status == "added":
            sentences.append(
                f"Rating level {item.new['name']} (rank {item.key}) added."
            )
        elif item.status == "removed":
            sentences.append(
                f"Rating level {item.old['name']} (rank {item.key}) removed."
            )
        elif item.status == "changed":
            parts = []
            if "name" in item.fields:
                parts.append(f"name “{item.old['name']}” becomes “{item.new['name']}”")
            if "colour" in item.fields:
                parts.append(
                    f"colour {item.old['colour']} becomes {item.new['colour']}"
                )
            if "description" in item.fields:
                parts.append("description changed")
            if "review_interval_days" in item.fields:
                parts.append(
                    f"review interval {_interval(item.old)} becomes "
                    f"{_interval(item.new)}"
                )
            name = item.old["name"]
            sentences.append(
                f"Rating level rank {item.key} ({name}): {', '.join(parts)}."
            )
    changed = len(comparison.changed_cells)
    if changed:
        sentences.append(
            f"{changed} matrix cell{'s' if changed != 1 else ''} "
            f"change{'s' if changed == 1 else ''} rating."
        )
    return sentences


def _interval(level):
    days = level.get("review_interval_days")
    if days is None:
        return "not set"
    return f"{days} day{'s' if days != 1 else ''}"


def _items(old, new, name, key, fields):
    old_items = {item[key]: item for item in old[name]}
    new_items = {item[key]: item for item in new[name]}
    differences = []
    for value in sorted(old_items.keys() | new_items.keys()):
        before, after = old_items.get(value), new_items.get(value)
        changed = (
            [f for f in fields if before.get(f) != after.get(f)]
            if before and after
            else []
        )
        differences.append(ItemDifference(value, before, after, changed))
    return differences


def _value(level):
    return level["value"]


def _rank(level):
    return level["rank"]
