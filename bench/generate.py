"""A large generated register, in the register document format, for benchmarks."""

import copy
import random

from risks.defaults import DEFAULT_METHODOLOGY


def big_register_document(*, reference="BENCH", subrisks=10_000, per_area=20, seed=7):
    """A register with `subrisks` sub-risks spread over areas of `per_area` each."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    methodology = copy.deepcopy(DEFAULT_METHODOLOGY)
    methodology["matrix"] = [
        {"likelihood": likelihood, "impact": impact, "rating": rating}
        for (likelihood, impact), rating in methodology["matrix"].items()
    ]
    areas = []
    for number in range(1, subrisks // per_area + 1):
        areas.append(
            {
                "number": number,
                "name": f"Area {number}",
                "group": "Data Retrieval" if number % 2 else "",
                "statement": f"The risk that process {number} fails.",
                "rating_commentary": "Commentary. " * 20,
                "settlement_impact": "Settlement impact. " * 20,
                "market_impact": "Market impact. " * 20,
                "see_also": [],
                "subrisks": [
                    {
                        "key": _letters(index),
                        "statement": f"The risk that step {index} of {number} fails.",
                        "rating_label": "",
                        "likelihood": rng.randint(1, 5),
                        "impact": rng.randint(1, 5),
                    }
                    for index in range(per_area)
                ],
                "risk_factors": [
                    {
                        "key": f"F{index}",
                        "style": "bullet",
                        "lead_in": "Factors include:",
                        "text": f"Factor {index}",
                    }
                    for index in range(1, 4)
                ],
                "mitigations": [
                    {
                        "key": "M1",
                        "kind": "current",
                        "text": "A control.",
                        "owner": "Suppliers",
                        "status": "",
                        "due_date": None,
                        "references": ["SLC 43"],
                        "none_proposed": False,
                        "subrisks": [],
                    },
                    {
                        "key": "M2",
                        "kind": "proposed",
                        "text": "A proposal.",
                        "owner": "ELEXON",
                        "status": "proposed",
                        "due_date": "2027-03-31",
                        "references": [],
                        "none_proposed": False,
                        "subrisks": ["a"],
                    },
                ],
            }
        )
    return {
        "format": "smart-risk-register",
        "format_version": 1,
        "register": {
            "reference": reference,
            "name": "Generated benchmark register",
            "version": "1.0",
            "status": "draft",
            "effective_date": "2026-04-01",
        },
        "methodology": methodology,
        "areas": areas,
        "lesson_sources": [],
        "lessons": [],
        "glossary": [],
    }


def _letters(index):
    key = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        key = chr(ord("a") + remainder) + key
    return key
