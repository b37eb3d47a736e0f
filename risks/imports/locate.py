"""Where a problem is, and levels given by label: shared by the JSON and Excel paths.

Problems are found in the register document as `path: message` lines
(`areas[2].subrisks[0].likelihood: ...`); for a workbook, a `Locator` rewrites the
path as the sheet, row and column the value came from.
"""

import re
from dataclasses import dataclass


@dataclass
class Location:
    sheet: str
    row: int | None = None
    column: str | None = None


class Locator:
    """Turns document paths (`areas[2].subrisks[0].likelihood`) into sheet, row
    and column, for documents read from a workbook; JSON keeps its paths."""

    def __init__(self):
        self.places = {}
        self.columns = {}

    def add(self, path, sheet, row=None, column=None):
        self.places[path] = Location(sheet, row, column)

    def name_columns(self, sheet, headers):
        """`headers` maps document field names to the sheet's column headers."""
        self.columns[sheet] = headers

    def __call__(self, problem):
        path, _, message = problem.partition(": ")
        prefix, rest = path, ""
        while prefix and prefix not in self.places:
            cut = max(prefix.rfind("."), prefix.rfind("["))
            rest = prefix[cut:] + rest
            prefix = prefix[:cut] if cut > 0 else ""
        if not prefix:
            return problem
        place = self.places[prefix]
        column = place.column
        name = re.match(r"\.?([a-z_]+)", rest)
        if column is None and name:
            column = self.columns.get(place.sheet, {}).get(name.group(1))
        return describe(place.sheet, place.row, column, message)


def describe(sheet, row, column, message):
    """`Register sheet, row 5, column Likelihood: <message>`."""
    where = f"{sheet} sheet"
    if row:
        where += f", row {row}"
    if column:
        where += f", column {column}"
    return f"{where}: {message}"


class LevelResolver:
    """Reads a likelihood or impact given as a value (3, "3") or a label, in any
    case ("medium"); `resolve` returns the value or None when unknown."""

    def __init__(self, levels, noun):
        self.noun = noun
        self.values = {}
        self.labels = {}
        self.shown = []
        for level in levels:
            if isinstance(level, dict) and isinstance(level.get("value"), int):
                self.values[level["value"]] = level["value"]
                label = str(level.get("label") or "").strip()
                if label:
                    self.labels[label.casefold()] = level["value"]
                    self.shown.append((level["value"], label))

    def resolve(self, given):
        if isinstance(given, bool):
            return None
        if isinstance(given, int):
            return self.values.get(given)
        if isinstance(given, float) and given.is_integer():
            return self.values.get(int(given))
        if isinstance(given, str):
            text = given.strip()
            if text.isdigit():
                return self.values.get(int(text))
            return self.labels.get(text.casefold())
        return None

    def problem(self, given):
        labels = ", ".join(label for _, label in sorted(self.shown))
        values = sorted(self.values)
        span = f"{values[0]} to {values[-1]}" if values else "none"
        shown = "nothing" if given in (None, "") else f"'{given}'"
        return (
            f"unknown {self.noun} {shown}; give a label ({labels}) or a value ({span})"
        )


def resolve_levels(data):
    """Replaces sub-risk levels given as labels by their values, in place.

    Returns the problems found, as `path: message` lines.
    """
    problems = []
    methodology = data.get("methodology")
    areas = data.get("areas")
    if not isinstance(methodology, dict) or not isinstance(areas, list):
        return problems
    resolvers = {
        "likelihood": LevelResolver(
            methodology.get("likelihood_levels") or [], "likelihood"
        ),
        "impact": LevelResolver(
            methodology.get("impact_levels") or [], "settlement impact"
        ),
    }
    for index, area in enumerate(areas):
        subrisks = area.get("subrisks") if isinstance(area, dict) else None
        for sub_index, subrisk in enumerate(subrisks or []):
            if not isinstance(subrisk, dict):
                continue
            for name, resolver in resolvers.items():
                given = subrisk.get(name)
                value = resolver.resolve(given)
                if value is None:
                    problems.append(
                        f"areas[{index}].subrisks[{sub_index}].{name}: "
                        + resolver.problem(given)
                    )
                else:
                    subrisk[name] = value
    return problems
