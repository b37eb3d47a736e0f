"""The 2017 register in fixtures/ against the source and DOMAIN.md.

Expected counts were taken from the source text (see fixtures/COUNTS.md), not from
the fixture itself.
"""

import pytest

from mitigations.models import Mitigation
from risks.models import GlossaryTerm, Lesson, RiskArea, RiskFactor, SubRisk
from risks.rating import rating_for
from risks.services import register_create_from_document

pytestmark = pytest.mark.django_db

# DOMAIN.md's table of the thirteen source ratings.
SOURCE_RATINGS = [
    ("SRR-2017/1.a", "Readiness", "Very High", "Very Low", "Low"),
    ("SRR-2017/2.a", "Installation", "High", "Very Low", "Low"),
    ("SRR-2017/2.b", "Installation", "Low", "High", "Medium"),
    ("SRR-2017/3.a", "Inter-operability", "Medium", "Medium", "Medium"),
    ("SRR-2017/4.a", "Legacy", "Medium", "Medium", "Medium"),
    ("SRR-2017/5.a", "Metering", "Very Low", "Very High", "Low"),
    ("SRR-2017/5.b", "Metering", "Very High", "Very Low", "Low"),
    ("SRR-2017/6.a", "Communications", "Very Low", "High", "Low"),
    ("SRR-2017/6.b", "Communications", "Very High", "Very Low", "Low"),
    ("SRR-2017/7.a", "DCC user interface", "Medium", "Medium", "Medium"),
    ("SRR-2017/8.a", "Supplier-agent interfaces", "Medium", "High", "High"),
    ("SRR-2017/9.a", "Meter operations", "Low", "Medium", "Medium"),
    ("SRR-2017/10.a", "Data processing", "Low", "Medium", "Medium"),
]

# Per area: factor bullets, factor paragraphs, current, proposed, of which "none".
SOURCE_COUNTS = {
    1: (9, 2, 5, 1, 1),
    2: (10, 4, 4, 2, 1),
    3: (9, 3, 5, 2, 1),
    4: (5, 3, 2, 6, 0),
    5: (0, 5, 7, 1, 1),
    6: (6, 4, 11, 1, 1),
    7: (7, 1, 5, 1, 1),
    8: (7, 2, 3, 5, 0),
    9: (4, 2, 3, 3, 0),
    10: (4, 2, 1, 2, 0),
}


def test_matrix_reproduces_the_thirteen_source_ratings(register_2017):
    subrisks = SubRisk.objects.filter(area__register=register_2017).select_related(
        "area", "likelihood", "impact"
    )

    looked_up = [
        (
            subrisk.reference,
            subrisk.area.name,
            subrisk.likelihood.label,
            subrisk.impact.label,
            rating_for(likelihood=subrisk.likelihood, impact=subrisk.impact).name,
        )
        for subrisk in subrisks
    ]

    assert looked_up == SOURCE_RATINGS


def test_stored_ratings_match_the_matrix(register_2017):
    stored = list(
        SubRisk.objects.filter(area__register=register_2017).values_list(
            "reference", "rating__name", "methodology_version"
        )
    )

    assert stored == [(row[0], row[4], 1) for row in SOURCE_RATINGS]


def test_areas_groups_and_names_follow_section_2(register_2017):
    areas = list(
        RiskArea.objects.filter(register=register_2017).values_list(
            "number", "name", "group"
        )
    )

    assert areas == [
        (number, name, "Data Retrieval" if number >= 5 else "")
        for number, name in enumerate(
            [
                "Readiness",
                "Installation",
                "Inter-operability",
                "Legacy",
                "Metering",
                "Communications",
                "DCC user interface",
                "Supplier-agent interfaces",
                "Meter operations",
                "Data processing",
            ],
            start=1,
        )
    ]


def test_every_area_has_every_section_6_block(register_2017):
    for area in RiskArea.objects.filter(register=register_2017):
        assert area.statement.startswith("The "), area.reference
        assert area.rating_commentary, area.reference
        assert area.settlement_impact, area.reference
        assert area.market_impact, area.reference


@pytest.mark.parametrize("number", range(1, 11))
def test_factor_and_mitigation_counts_match_the_source(register_2017, number):
    area = RiskArea.objects.get(register=register_2017, number=number)
    factors = RiskFactor.objects.filter(area=area)
    mitigations = Mitigation.objects.filter(area=area)

    counts = (
        factors.filter(style="bullet").count(),
        factors.filter(style="paragraph").count(),
        mitigations.filter(kind="current").count(),
        mitigations.filter(kind="proposed").count(),
        mitigations.filter(none_proposed=True).count(),
    )

    assert counts == SOURCE_COUNTS[number]


def test_lessons_per_source_match_section_7(register_2017):
    lessons = list(
        Lesson.objects.filter(source__register=register_2017).values_list(
            "source__name", "number"
        )
    )

    assert lessons == [
        (source, number)
        for source in ("Advanced Meters", "P272", "Foundation metering")
        for number in (1, 2, 3)
    ]


def test_cross_references_survive(register_2017):
    readiness = RiskArea.objects.get(register=register_2017, number=1)

    assert list(readiness.see_also.values_list("number", flat=True)) == [2, 4]


def test_readiness_keeps_its_reason_for_proposing_nothing(register_2017):
    none = Mitigation.objects.get(
        area__register=register_2017, area__number=1, kind="proposed"
    )

    assert none.none_proposed is True
    assert none.text.startswith("The Settlement Risk is low.")


def test_first_risk_factor_keeps_its_lead_in(register_2017):
    factor = RiskFactor.objects.get(reference="SRR-2017/1/F1")

    assert factor.style == "bullet"
    assert factor.lead_in == (
        "Risk factors leading to delays in the smart meter rollout include:"
    )


def test_glossary_spells_out_the_source_abbreviations(register_2017):
    meanings = dict(
        GlossaryTerm.objects.filter(register=register_2017).values_list(
            "abbreviation", "meaning"
        )
    )

    assert meanings["DCC"] == "Data Communications Company"
    assert meanings["HAN"] == "Home Area Network"
    assert meanings["LDSO"] == "Licensed Distribution System Operator"
    assert len(meanings) == 82


def test_register_cites_its_source(register_2017):
    assert register_2017.paper_reference == "268/07"
    assert "Issue 69" in register_2017.source_citation


def test_loading_a_document_normalises_line_endings(register_document):
    register_document["areas"][0]["market_impact"] = "First.\r\n\r\nSecond.\rThird."

    register = register_create_from_document(data=register_document)

    area = register.areas.get(number=1)
    assert area.market_impact == "First.\n\nSecond.\nThird."
