"""Reading and checking a register document (see docs/register-format.md).

`parse_document` checks a decoded JSON document completely before anything is
written and raises `DocumentError` listing every problem, each with the path of the
value at fault (`areas[2].subrisks[0].likelihood`).
"""

import datetime
from dataclasses import dataclass, field

from riskregister.lib.text import normalise_newlines

FORMAT = "smart-risk-register"
FORMAT_VERSION = 1
REGISTER_STATUSES = {"draft", "consultation", "in_use", "no_longer_in_use"}
MITIGATION_KINDS = {"current", "proposed"}
PROPOSAL_STATUSES = {"proposed", "agreed", "in_progress", "implemented", "rejected"}
FACTOR_STYLES = {"bullet", "paragraph"}
DOCUMENT_KEYS = {
    "format",
    "format_version",
    "register",
    "methodology",
    "areas",
    "lesson_sources",
    "lessons",
    "glossary",
}


class DocumentError(Exception):
    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class _Checker:
    problems: list = field(default_factory=list)

    def fail(self, path, message):
        self.problems.append(f"{path}: {message}")

    def mapping(self, value, path):
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return {}
        return value

    def known(self, raw, path, names):
        """Refuses keys the format does not define, so a misspelt key is not lost."""
        for name in raw:
            if name not in names:
                self.fail(f"{path}{name}", "unknown field")

    def items(self, parent, name, path):
        value = parent.get(name, [])
        if not isinstance(value, list):
            self.fail(f"{path}{name}", "must be a list")
            return []
        return value

    def text(self, parent, name, path, *, required=False, max_length=None):
        value = parent.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.fail(f"{path}{name}", "must be text")
            return ""
        value = normalise_newlines(value).strip()
        if required and not value:
            self.fail(f"{path}{name}", "is required")
        if max_length and len(value) > max_length:
            self.fail(f"{path}{name}", f"is longer than {max_length} characters")
        return value

    def integer(self, parent, name, path, *, minimum=1, maximum=32767):
        value = parent.get(name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}{name}", "must be a whole number")
            return None
        if not minimum <= value <= maximum:
            self.fail(f"{path}{name}", f"must be between {minimum} and {maximum}")
            return None
        return value

    def choice(self, parent, name, path, choices, *, default=""):
        value = parent.get(name, default)
        if value is None:
            value = default
        if value not in choices:
            self.fail(
                f"{path}{name}",
                f"'{value}' is not one of: {', '.join(sorted(choices))}",
            )
        return value

    def date(self, parent, name, path):
        value = parent.get(name)
        if value in (None, ""):
            return None
        try:
            return datetime.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(f"{path}{name}", "must be a date written as YYYY-MM-DD")
            return None

    def unique(self, values, path, what):
        seen = set()
        for value in values:
            if value in seen:
                self.fail(path, f"duplicate {what} '{value}'")
            seen.add(value)


def parse_document(data):
    """Checks a decoded register document and returns it normalised."""
    check = _Checker()
    data = check.mapping(data, "document")
    if data.get("format") != FORMAT or data.get("format_version") != FORMAT_VERSION:
        check.fail(
            "format",
            f"expected format '{FORMAT}' version {FORMAT_VERSION}",
        )
        raise DocumentError(check.problems)
    check.known(data, "", DOCUMENT_KEYS)

    register = _parse_register(check, check.mapping(data.get("register"), "register"))
    methodology = _parse_methodology(
        check, check.mapping(data.get("methodology"), "methodology")
    )
    areas = _parse_areas(check, data, methodology)
    sources = []
    for index, raw in enumerate(check.items(data, "lesson_sources", "")):
        path = f"lesson_sources[{index}]."
        raw = check.mapping(raw, path[:-1])
        check.known(raw, path, {"key", "name"})
        sources.append(
            {
                "key": check.text(raw, "key", path, required=True, max_length=16),
                "name": check.text(raw, "name", path, required=True, max_length=200),
            }
        )
    check.unique([s["key"] for s in sources], "lesson_sources", "key")
    source_keys = {s["key"] for s in sources}
    area_numbers = {a["number"] for a in areas}
    lessons = []
    for index, raw in enumerate(check.items(data, "lessons", "")):
        path = f"lessons[{index}]."
        raw = check.mapping(raw, path[:-1])
        check.known(
            raw, path, {"source", "number", "problem", "lesson", "related_areas"}
        )
        lesson = {
            "source": check.choice(raw, "source", path, source_keys),
            "number": check.integer(raw, "number", path),
            "problem": check.text(raw, "problem", path, required=True),
            "lesson": check.text(raw, "lesson", path),
            "related_areas": check.items(raw, "related_areas", path),
        }
        for number in lesson["related_areas"]:
            if number not in area_numbers:
                check.fail(f"{path}related_areas", f"no area numbered {number}")
        lessons.append(lesson)
    check.unique(
        [(item["source"], item["number"]) for item in lessons], "lessons", "lesson"
    )
    glossary = []
    for index, raw in enumerate(check.items(data, "glossary", "")):
        path = f"glossary[{index}]."
        raw = check.mapping(raw, path[:-1])
        check.known(raw, path, {"abbreviation", "meaning"})
        glossary.append(
            {
                "abbreviation": check.text(
                    raw, "abbreviation", path, required=True, max_length=32
                ),
                "meaning": check.text(
                    raw, "meaning", path, required=True, max_length=300
                ),
            }
        )
    check.unique([g["abbreviation"] for g in glossary], "glossary", "abbreviation")

    if check.problems:
        raise DocumentError(check.problems)
    return {
        "register": register,
        "methodology": methodology,
        "areas": areas,
        "lesson_sources": sources,
        "lessons": lessons,
        "glossary": glossary,
    }


def _parse_register(check, raw):
    path = "register."
    check.known(
        raw,
        path,
        {
            "reference",
            "name",
            "version",
            "status",
            "effective_date",
            "approving_body",
            "paper_reference",
            "description",
            "source_citation",
        },
    )
    return {
        "reference": check.text(raw, "reference", path, required=True, max_length=32),
        "name": check.text(raw, "name", path, required=True, max_length=200),
        "version": check.text(raw, "version", path, max_length=20),
        "status": check.choice(raw, "status", path, REGISTER_STATUSES, default="draft"),
        "effective_date": check.date(raw, "effective_date", path),
        "approving_body": check.text(raw, "approving_body", path, max_length=200),
        "paper_reference": check.text(raw, "paper_reference", path, max_length=100),
        "description": check.text(raw, "description", path),
        "source_citation": check.text(raw, "source_citation", path),
    }


def _parse_scale(check, raw, name):
    levels = []
    for index, item in enumerate(check.items(raw, name, "methodology.")):
        path = f"methodology.{name}[{index}]."
        item = check.mapping(item, path[:-1])
        check.known(item, path, {"value", "label", "definition"})
        levels.append(
            {
                "value": check.integer(item, "value", path, maximum=7),
                "label": check.text(item, "label", path, required=True, max_length=50),
                "definition": check.text(item, "definition", path),
            }
        )
    if not 3 <= len(levels) <= 7:
        check.fail(f"methodology.{name}", "must have between 3 and 7 levels")
    values = [level["value"] for level in levels]
    check.unique(values, f"methodology.{name}", "value")
    check.unique([level["label"] for level in levels], f"methodology.{name}", "label")
    return levels


def _parse_methodology(check, raw):
    path = "methodology."
    check.known(
        raw,
        path,
        {"name", "likelihood_levels", "impact_levels", "rating_levels", "matrix"},
    )
    likelihoods = _parse_scale(check, raw, "likelihood_levels")
    impacts = _parse_scale(check, raw, "impact_levels")
    ratings = []
    for index, item in enumerate(check.items(raw, "rating_levels", path)):
        item_path = f"methodology.rating_levels[{index}]."
        item = check.mapping(item, item_path[:-1])
        check.known(
            item,
            item_path,
            {"rank", "name", "colour", "description", "review_interval_days"},
        )
        colour = check.text(item, "colour", item_path, required=True)
        if colour and not _is_colour(colour):
            check.fail(f"{item_path}colour", "must be written as #rrggbb")
        interval = item.get("review_interval_days")
        if interval is not None:
            interval = check.integer(item, "review_interval_days", item_path)
        ratings.append(
            {
                "rank": check.integer(item, "rank", item_path, maximum=20),
                "name": check.text(
                    item, "name", item_path, required=True, max_length=50
                ),
                "colour": colour,
                "description": check.text(item, "description", item_path),
                "review_interval_days": interval,
            }
        )
    if not ratings:
        check.fail("methodology.rating_levels", "must have at least one level")
    check.unique([r["rank"] for r in ratings], "methodology.rating_levels", "rank")
    check.unique([r["name"] for r in ratings], "methodology.rating_levels", "name")

    rating_names = {r["name"] for r in ratings}
    likelihood_values = {level["value"] for level in likelihoods}
    impact_values = {level["value"] for level in impacts}
    cells = {}
    for index, item in enumerate(check.items(raw, "matrix", path)):
        item_path = f"methodology.matrix[{index}]."
        item = check.mapping(item, item_path[:-1])
        check.known(item, item_path, {"likelihood", "impact", "rating"})
        likelihood = item.get("likelihood")
        impact = item.get("impact")
        if likelihood not in likelihood_values:
            check.fail(f"{item_path}likelihood", f"no likelihood level {likelihood}")
        if impact not in impact_values:
            check.fail(f"{item_path}impact", f"no impact level {impact}")
        rating = check.choice(item, "rating", item_path, rating_names)
        if (likelihood, impact) in cells:
            check.fail(item_path[:-1], f"second cell for {likelihood} x {impact}")
        cells[likelihood, impact] = rating
    missing = [
        f"{likelihood} x {impact}"
        for likelihood in sorted(v for v in likelihood_values if v)
        for impact in sorted(v for v in impact_values if v)
        if (likelihood, impact) not in cells
    ]
    if missing:
        check.fail("methodology.matrix", f"no cell for {', '.join(missing)}")
    return {
        "name": check.text(raw, "name", path, required=True, max_length=200),
        "likelihood_levels": likelihoods,
        "impact_levels": impacts,
        "rating_levels": ratings,
        "matrix": cells,
    }


def _is_colour(value):
    return (
        len(value) == 7
        and value[0] == "#"
        and all(c in "0123456789abcdefABCDEF" for c in value[1:])
    )


AREA_KEYS = {
    "number",
    "name",
    "group",
    "statement",
    "rating_commentary",
    "settlement_impact",
    "market_impact",
    "see_also",
    "subrisks",
    "risk_factors",
    "mitigations",
}
MITIGATION_KEYS = {
    "key",
    "kind",
    "none_proposed",
    "text",
    "owner",
    "status",
    "due_date",
    "references",
    "subrisks",
}


def _parse_areas(check, data, methodology):
    likelihood_values = {level["value"] for level in methodology["likelihood_levels"]}
    impact_values = {level["value"] for level in methodology["impact_levels"]}
    areas = []
    for index, raw in enumerate(check.items(data, "areas", "")):
        path = f"areas[{index}]."
        raw = check.mapping(raw, path[:-1])
        check.known(raw, path, AREA_KEYS)
        area = {
            "number": check.integer(raw, "number", path),
            "name": check.text(raw, "name", path, required=True, max_length=200),
            "group": check.text(raw, "group", path, max_length=100),
            "statement": check.text(raw, "statement", path, required=True),
            "rating_commentary": check.text(raw, "rating_commentary", path),
            "settlement_impact": check.text(raw, "settlement_impact", path),
            "market_impact": check.text(raw, "market_impact", path),
            "see_also": check.items(raw, "see_also", path),
            "subrisks": [],
            "risk_factors": [],
            "mitigations": [],
        }
        for sub_index, item in enumerate(check.items(raw, "subrisks", path)):
            item_path = f"{path}subrisks[{sub_index}]."
            item = check.mapping(item, item_path[:-1])
            check.known(
                item,
                item_path,
                {"key", "statement", "rating_label", "likelihood", "impact"},
            )
            likelihood = item.get("likelihood")
            impact = item.get("impact")
            if likelihood not in likelihood_values:
                check.fail(
                    f"{item_path}likelihood", f"no likelihood level {likelihood}"
                )
            if impact not in impact_values:
                check.fail(f"{item_path}impact", f"no impact level {impact}")
            area["subrisks"].append(
                {
                    "key": check.text(
                        item, "key", item_path, required=True, max_length=8
                    ),
                    "statement": check.text(
                        item, "statement", item_path, required=True
                    ),
                    "rating_label": check.text(
                        item, "rating_label", item_path, max_length=300
                    ),
                    "likelihood": likelihood,
                    "impact": impact,
                }
            )
        check.unique([s["key"] for s in area["subrisks"]], f"{path}subrisks", "key")
        subrisk_keys = {s["key"] for s in area["subrisks"]}
        for sub_index, item in enumerate(check.items(raw, "risk_factors", path)):
            item_path = f"{path}risk_factors[{sub_index}]."
            item = check.mapping(item, item_path[:-1])
            check.known(item, item_path, {"key", "style", "lead_in", "text"})
            area["risk_factors"].append(
                {
                    "key": check.text(
                        item, "key", item_path, required=True, max_length=8
                    ),
                    "style": check.choice(
                        item, "style", item_path, FACTOR_STYLES, default="paragraph"
                    ),
                    "lead_in": check.text(item, "lead_in", item_path),
                    "text": check.text(item, "text", item_path, required=True),
                }
            )
        check.unique(
            [f["key"] for f in area["risk_factors"]], f"{path}risk_factors", "key"
        )
        for sub_index, item in enumerate(check.items(raw, "mitigations", path)):
            item_path = f"{path}mitigations[{sub_index}]."
            area["mitigations"].append(
                _parse_mitigation(
                    check, check.mapping(item, item_path[:-1]), item_path, subrisk_keys
                )
            )
        check.unique(
            [m["key"] for m in area["mitigations"]], f"{path}mitigations", "key"
        )
        areas.append(area)
    numbers = [area["number"] for area in areas]
    check.unique(numbers, "areas", "number")
    for index, area in enumerate(areas):
        for number in area["see_also"]:
            if number not in numbers or number == area["number"]:
                check.fail(
                    f"areas[{index}].see_also", f"no other area numbered {number}"
                )
    return areas


def _parse_mitigation(check, item, path, subrisk_keys):
    check.known(item, path, MITIGATION_KEYS)
    kind = check.choice(item, "kind", path, MITIGATION_KINDS)
    none_proposed = bool(item.get("none_proposed", False))
    if kind == "proposed" and not none_proposed:
        status = check.choice(
            item, "status", path, PROPOSAL_STATUSES, default="proposed"
        )
    else:
        status = check.choice(item, "status", path, {""})
    references = check.items(item, "references", path)
    if not all(isinstance(ref, str) for ref in references):
        check.fail(f"{path}references", "must be a list of text")
    subrisks = check.items(item, "subrisks", path)
    for key in subrisks:
        if key not in subrisk_keys:
            check.fail(f"{path}subrisks", f"no sub-risk '{key}' in this area")
    return {
        "key": check.text(item, "key", path, required=True, max_length=8),
        "kind": kind,
        "none_proposed": none_proposed,
        "text": check.text(item, "text", path, required=True),
        "owner": check.text(item, "owner", path, max_length=200),
        "status": status,
        "due_date": check.date(item, "due_date", path),
        "references": references,
        "subrisks": subrisks,
    }


def methodology_to_document(methodology):
    """The methodology section of a register document, for snapshots and exports."""
    likelihoods = list(methodology.likelihood_levels.order_by("value"))
    impacts = list(methodology.impact_levels.order_by("value"))
    return {
        "name": methodology.name,
        "likelihood_levels": [
            {"value": level.value, "label": level.label, "definition": level.definition}
            for level in likelihoods
        ],
        "impact_levels": [
            {"value": level.value, "label": level.label, "definition": level.definition}
            for level in impacts
        ],
        "rating_levels": [
            {
                "rank": level.rank,
                "name": level.name,
                "colour": level.colour,
                "description": level.description,
                "review_interval_days": level.review_interval_days,
            }
            for level in methodology.rating_levels.order_by("rank")
        ],
        "matrix": [
            {
                "likelihood": cell.likelihood.value,
                "impact": cell.impact.value,
                "rating": cell.rating.name,
            }
            for cell in methodology.cells.select_related(
                "likelihood", "impact", "rating"
            ).order_by("-likelihood__value", "impact__value")
        ],
    }
