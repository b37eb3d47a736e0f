import datetime
import re

import pytest
from django.db import models
from django.urls import reverse
from django.utils import timezone

from mitigations.models import Mitigation
from risks.models import RiskFactor, SubRisk
from tests.factories import (
    GlossaryTermFactory,
    LessonFactory,
    LessonSourceFactory,
    MitigationFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)
from tests.pages.conftest import headings, squash, table_row

pytestmark = pytest.mark.django_db

SECTION_HEADINGS = [
    "Description",
    "Risk rating",
    "Overall rating",
    "Risk rating commentary",
    "Risk factors",
    "Settlement impact",
    "Market impact",
    "Current mitigations",
    "Proposed mitigations",
    "See also",
    "Related lessons",
]


@pytest.fixture
def area(register):
    """Area 2 of three, with every part section 6 shows."""
    RiskAreaFactory(register=register, number=1, name="Readiness")
    legacy = RiskAreaFactory(register=register, number=4, name="Legacy")
    area = RiskAreaFactory(
        register=register,
        number=2,
        name="Installation",
        group="Data Retrieval",
        statement="The risk that installation goes wrong.",
        rating_commentary="Visits are aborted.",
        settlement_impact="Data quality suffers.",
        market_impact="Customers are billed late.",
    )
    area.see_also.add(legacy)
    SubRiskFactory(
        area=area,
        likelihood_value=4,
        impact_value=1,
        statement="Aborted visits delay the roll-out.",
        rating_label="Likelihood of aborted visits",
    )
    SubRiskFactory(
        area=area, likelihood_value=2, impact_value=4, statement="Installation errors."
    )
    SubRiskFactory(
        area=area,
        likelihood_value=5,
        impact_value=5,
        statement="Archived.",
        archived_at=timezone.now(),
    )
    bullet = RiskFactor.Style.BULLET
    for style, lead_in, text in [
        ("paragraph", "", "A paragraph factor."),
        (bullet, "Risk factors include:", "First bullet."),
        (bullet, "Risk factors include:", "Second bullet."),
        (bullet, "Other factors:", "Third bullet."),
        ("paragraph", "", "Closing prose."),
        (bullet, "Risk factors include:", "Fourth bullet."),
    ]:
        RiskFactorFactory(area=area, style=style, lead_in=lead_in, text=text)
    MitigationFactory(
        area=area,
        kind=Mitigation.Kind.CURRENT,
        text="Suppliers must install meters.",
        owner="Suppliers",
        references=["SLC 43", "SLC 44"],
    )
    MitigationFactory(
        area=area,
        kind=Mitigation.Kind.PROPOSED,
        text="ELEXON will monitor installs.",
        owner="ELEXON",
        status=Mitigation.Status.AGREED,
        due_date=datetime.date(2017, 5, 24),
        references=["P302"],
    )
    MitigationFactory(
        area=area,
        kind=Mitigation.Kind.PROPOSED,
        none_proposed=True,
        text="Existing controls are enough.",
    )
    source = LessonSourceFactory(register=register, name="Advanced Meters", key="AM")
    LessonFactory(source=source, number=3, lesson="Plan for aborted visits.")
    LessonFactory(
        source=source, number=4, lesson="Archived lesson.", archived_at=timezone.now()
    )
    for lesson in source.lessons.all():
        lesson.related_areas.add(area)
    return area


def get_area(client, area):
    return client.get(
        reverse("risks:area-detail", args=[area.register.reference, area.number])
    )


def section(content, heading_id):
    """The HTML of the section labelled by the heading with this id."""
    match = re.search(
        rf'<section aria-labelledby="{heading_id}"[^>]*>(.*?)</section>',
        content,
        re.DOTALL,
    )
    assert match, heading_id
    return match.group(1)


def test_area_page_shows_section_six_headings_in_order(viewer_client, area):
    response = get_area(viewer_client, area)

    content = response.content.decode()
    assert response.status_code == 200
    assert headings(content, 1) == ["Installation"]
    assert headings(content) == SECTION_HEADINGS


def test_area_page_shows_the_narrative_text(viewer_client, area):
    content = get_area(viewer_client, area).content.decode()

    assert squash(section(content, "description-heading")) == (
        "Description The risk that installation goes wrong."
    )
    assert squash(section(content, "commentary-heading")) == (
        "Risk rating commentary Visits are aborted."
    )
    assert squash(section(content, "settlement-heading")) == (
        "Settlement impact Data quality suffers."
    )
    assert squash(section(content, "market-heading")) == (
        "Market impact Customers are billed late."
    )
    assert "Risk area 2 · Data Retrieval" in content


def test_rating_table_has_a_row_per_live_subrisk(viewer_client, area):
    content = get_area(viewer_client, area).content.decode()

    assert re.findall(r'<tr id="subrisk-(\w+)"', content) == ["a", "b"]
    assert squash(table_row(content, "subrisk-a")) == (
        "2.a Likelihood of aborted visits High Very Low Low Not reviewed yet "
        "History of sub-risk 2.a"
    )
    assert squash(table_row(content, "subrisk-b")) == (
        "2.b Installation errors. Low High Medium Not reviewed yet History of "
        "sub-risk 2.b"
    )
    assert (
        '<span class="badge" style="background-color: #f2c200; color: #000000;">'
        "Medium</span>"
    ) in table_row(content, "subrisk-b")


def test_overall_rating_is_the_worst_live_subrisk_rating(viewer_client, area):
    content = get_area(viewer_client, area).content.decode()

    assert squash(section(content, "overall-heading")) == (
        "Overall rating Medium The most severe rating among the area's sub-risks."
    )


def test_area_page_reads_stored_ratings(viewer_client, area):
    very_high = area.register.methodology.rating_levels.get(name="Very High")
    # Bypasses the queryset's guard to plant a rating the matrix would not give.
    models.QuerySet.update(SubRisk.objects.filter(area=area, key="a"), rating=very_high)

    content = get_area(viewer_client, area).content.decode()

    assert squash(table_row(content, "subrisk-a")).endswith(
        "High Very Low Very High Not reviewed yet History of sub-risk 2.a"
    )
    assert squash(section(content, "overall-heading")).startswith(
        "Overall rating Very High"
    )


def test_area_without_subrisks_says_it_is_not_rated(viewer_client, register):
    area = RiskAreaFactory(register=register, number=7)

    content = get_area(viewer_client, area).content.decode()

    assert squash(section(content, "overall-heading")) == "Overall rating Not rated"


def test_risk_factors_group_consecutive_bullets_under_their_lead_in(
    viewer_client, area
):
    factors = section(get_area(viewer_client, area).content.decode(), "factors-heading")

    blocks = re.findall(
        r'<div class="prose factor" id="factor-(F\d)">|'
        r'<div class="prose factor-list">\s*<p>(.*?)</p>\s*<ul>(.*?)</ul>',
        factors,
        re.DOTALL,
    )
    assert [
        paragraph or (lead_in, re.findall(r'<li id="factor-(F\d)">', items))
        for paragraph, lead_in, items in blocks
    ] == [
        "F1",
        ("Risk factors include:", ["F2", "F3"]),
        ("Other factors:", ["F4"]),
        "F5",
        ("Risk factors include:", ["F6"]),
    ]
    assert '<li id="factor-F2"><p>First bullet.</p></li>' in factors


def test_mitigations_show_owner_status_due_date_and_references(viewer_client, area):
    content = get_area(viewer_client, area).content.decode()

    assert squash(section(content, "current-heading")) == (
        "Current mitigations Suppliers must install meters. "
        "Owner Suppliers References SLC 43, SLC 44"
    )
    assert squash(section(content, "proposed-heading")) == (
        "Proposed mitigations ELEXON will monitor installs. Owner ELEXON "
        "Status Agreed Due 24 May 2017 References P302 "
        "None proposed Existing controls are enough."
    )


def test_see_also_related_lessons_and_neighbours_link_to_other_pages(
    viewer_client, area
):
    content = get_area(viewer_client, area).content.decode()

    assert (
        '<li><a href="/registers/TEST-1/areas/4/">Risk area 4: Legacy</a></li>'
        in section(content, "see-also-heading")
    )
    lessons = section(content, "lessons-heading")
    assert (
        '<a href="/registers/TEST-1/lessons/#lesson-AM-3">Advanced Meters, lesson 3</a>'
        ": Plan for aborted visits." in lessons
    )
    assert "Archived lesson" not in lessons
    assert 'rel="prev" href="/registers/TEST-1/areas/1/">' in content
    assert 'rel="next" href="/registers/TEST-1/areas/4/">' in content


def test_first_area_has_no_previous_link(viewer_client, area):
    first = area.register.areas.get(number=1)

    content = get_area(viewer_client, first).content.decode()

    assert 'rel="prev"' not in content
    assert 'rel="next" href="/registers/TEST-1/areas/2/">' in content


def test_area_text_is_escaped_and_abbreviations_explained(viewer_client, area):
    GlossaryTermFactory(
        register=area.register, abbreviation="DC", meaning="Data Collector"
    )
    area.statement = "The <script>alert(1)</script> risk to the DC and NHHDC."
    area.save()

    content = get_area(viewer_client, area).content.decode()

    description = section(content, "description-heading")
    assert "<script>" not in content
    assert (
        "<p>The &lt;script&gt;alert(1)&lt;/script&gt; risk to the "
        '<abbr title="Data Collector">DC</abbr> and NHHDC.</p>' in description
    )


def build_area(register, number, size):
    area = RiskAreaFactory(register=register, number=number)
    other = RiskAreaFactory(register=register, number=number + 100)
    area.see_also.add(other)
    source = LessonSourceFactory(register=register)
    for index in range(size):
        subrisk = SubRiskFactory(area=area, likelihood_value=index % 5 + 1)
        RiskFactorFactory(area=area, style=RiskFactor.Style.BULLET, lead_in="L:")
        mitigation = MitigationFactory(area=area, references=["A", "B"])
        mitigation.subrisks.add(subrisk)
        LessonFactory(source=source).related_areas.add(area)
        GlossaryTermFactory(register=register, abbreviation=f"X{number}{index}")
    return area


# Session, user, its permissions (2), register, area and its 7 prefetches, the
# list of areas for the pager, glossary.
AREA_QUERIES = 15


def test_area_page_query_count_does_not_grow_with_the_area(
    viewer_client, register, django_assert_num_queries
):
    small = build_area(register, 1, size=1)
    large = build_area(register, 2, size=12)

    with django_assert_num_queries(AREA_QUERIES):
        assert get_area(viewer_client, small).status_code == 200
    with django_assert_num_queries(AREA_QUERIES):
        response = get_area(viewer_client, large)

    assert len(re.findall(r'<tr id="subrisk-', response.content.decode())) == 12
