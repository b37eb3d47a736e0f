"""Checks of a whole document against the database, and a new register's preview."""

import datetime
from types import SimpleNamespace

from django.core.exceptions import ValidationError

from risks.document import methodology_to_document
from risks.models import Register, reference_validator
from risks.rating import Matrix
from risks.references import (
    area_reference,
    factor_reference,
    lesson_reference,
    mitigation_reference,
    subrisk_reference,
)

RESERVED_REFERENCES = {"import"}
CREATE = "create"


def title(text, limit=90):
    """Text on one line, cut to `limit` characters for a preview."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value):
    """A field's value as a preview shows it: dates in words, lists joined."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def methodology_problems(register, methodology):
    """Where the document's methodology differs from the register's, as problems."""
    current = methodology_to_document(register.methodology)
    current["matrix"] = {
        (cell["likelihood"], cell["impact"]): cell["rating"]
        for cell in current["matrix"]
    }
    advice = (
        "differs from the register's; an import does not change the methodology: "
        "ask a Methodology admin to change it on the methodology page first, or "
        "export the register again"
    )
    problems = []
    if methodology["name"] != current["name"]:
        problems.append(f"methodology.name: '{methodology['name']}' {advice}")
    for name in ("likelihood_levels", "impact_levels", "rating_levels"):
        theirs, ours = methodology[name], current[name]
        if len(theirs) != len(ours):
            problems.append(f"methodology.{name}: the number of levels {advice}")
            continue
        for index, (level, mine) in enumerate(zip(theirs, ours, strict=True)):
            for key, value in level.items():
                if mine.get(key) != value:
                    problems.append(
                        f"methodology.{name}[{index}].{key}: '{shown(value)}' "
                        f"(the register has '{shown(mine.get(key))}') {advice}"
                    )
    for cell, rating in sorted(methodology["matrix"].items()):
        if current["matrix"].get(cell) != rating:
            problems.append(
                f"methodology.matrix: cell likelihood {cell[0]} x impact {cell[1]} "
                f"is '{rating}' (the register has "
                f"'{current['matrix'].get(cell, 'no cell')}') {advice}"
            )
    return problems


def register_problems(fields, register):
    problems = []
    reference = fields["reference"]
    try:
        reference_validator(reference)
    except ValidationError as error:
        problems.append(f"register.reference: {' '.join(error.messages)}")
    if reference in RESERVED_REFERENCES:
        problems.append(
            f"register.reference: '{reference}' is reserved; choose another"
        )
    if register is None:
        if Register.objects.filter(reference=reference).exists():
            problems.append(
                f"register.reference: a register '{reference}' exists already; "
                "import the file onto it from its overview page instead"
            )
    elif reference != register.reference:
        problems.append(
            f"register.reference: the file is for register '{reference}', not "
            f"'{register.reference}'"
        )
    return problems


def new_register_preview(document, matrix_document):
    """Everything the document would create, with each sub-risk's rating."""
    cells = [
        SimpleNamespace(likelihood_id=likelihood, impact_id=impact, rating=rating)
        for (likelihood, impact), rating in matrix_document["matrix"].items()
    ]
    # The matrix lookup is risks.rating's; here its ids are the scale values.
    matrix = Matrix(None, 1, cells)
    ref = document["register"]["reference"]
    entries = [
        {
            "kind": "register",
            "action": CREATE,
            "reference": ref,
            "title": document["register"]["name"],
            "changes": [],
        }
    ]
    for area in document["areas"]:
        number = area["number"]
        entries.append(
            {
                "kind": "area",
                "action": CREATE,
                "reference": area_reference(ref, number),
                "title": title(area["name"]),
                "changes": [],
            }
        )
        for item in area["subrisks"]:
            rating = matrix.rating_for(item["likelihood"], item["impact"])
            entries.append(
                {
                    "kind": "sub-risk",
                    "action": CREATE,
                    "reference": subrisk_reference(ref, number, item["key"]),
                    "title": title(item["statement"]),
                    "changes": [{"field": "Rating", "old": "", "new": rating}],
                }
            )
        for kind, items, make in (
            ("risk factor", area["risk_factors"], factor_reference),
            ("mitigation", area["mitigations"], mitigation_reference),
        ):
            entries.extend(
                {
                    "kind": kind,
                    "action": CREATE,
                    "reference": make(ref, number, item["key"]),
                    "title": title(item["text"]),
                    "changes": [],
                }
                for item in items
            )
    entries.extend(
        {
            "kind": "lesson",
            "action": CREATE,
            "reference": lesson_reference(ref, item["source"], item["number"]),
            "title": title(item["lesson"] or item["problem"]),
            "changes": [],
        }
        for item in document["lessons"]
    )
    entries.extend(
        {
            "kind": "glossary term",
            "action": CREATE,
            "reference": f"{ref}/G/{item['abbreviation']}",
            "title": title(item["meaning"]),
            "changes": [],
        }
        for item in document["glossary"]
    )
    return entries
