"""The default methodology: DOMAIN.md's 5 x 5 likelihood x impact matrix.

Eight of its cells are evidenced by the 2017 register's own ratings; the others
follow the register's score bands and are policy, which is why a register's
methodology can be edited cell by cell.
"""

LEVEL_LABELS = ["Very Low", "Low", "Medium", "High", "Very High"]

# Rows from likelihood 5 (Very High) down to 1 (Very Low); columns impact 1 to 5.
DEFAULT_GRID = {
    5: ["Low", "Medium", "High", "Very High", "Very High"],
    4: ["Low", "Medium", "High", "High", "Very High"],
    3: ["Low", "Medium", "Medium", "High", "High"],
    2: ["Low", "Low", "Medium", "Medium", "Medium"],
    1: ["Low", "Low", "Low", "Low", "Low"],
}

DEFAULT_METHODOLOGY = {
    "name": "Likelihood x Settlement Impact",
    "likelihood_levels": [
        {"value": value, "label": label, "definition": ""}
        for value, label in enumerate(LEVEL_LABELS, start=1)
    ],
    "impact_levels": [
        {"value": value, "label": label, "definition": ""}
        for value, label in enumerate(LEVEL_LABELS, start=1)
    ],
    "rating_levels": [
        {
            "rank": 1,
            "name": "Low",
            "colour": "#2e7d32",
            "description": "Low Risk",
            "review_interval_days": None,
        },
        {
            "rank": 2,
            "name": "Medium",
            "colour": "#f2c200",
            "description": "Medium Risk",
            "review_interval_days": None,
        },
        {
            "rank": 3,
            "name": "High",
            "colour": "#e8710a",
            "description": "High Risk",
            "review_interval_days": None,
        },
        {
            "rank": 4,
            "name": "Very High",
            "colour": "#c62828",
            "description": "Very High Risk",
            "review_interval_days": None,
        },
    ],
    "matrix": {
        (likelihood, impact): rating
        for likelihood, row in DEFAULT_GRID.items()
        for impact, rating in enumerate(row, start=1)
    },
}
