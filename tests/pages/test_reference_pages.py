import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    GlossaryTermFactory,
    LessonFactory,
    LessonSourceFactory,
    RiskAreaFactory,
    SubRiskFactory,
)
from tests.pages.conftest import headings, squash, table_row

pytestmark = pytest.mark.django_db


def test_methodology_page_shows_scales_ratings_matrix_and_version(
    viewer_client, register
):
    methodology = register.methodology
    methodology.likelihood_levels.filter(value=5).update(
        definition="Expected within the year."
    )
    methodology.rating_levels.filter(name="High").update(review_interval_days=30)
    SubRiskFactory(area=RiskAreaFactory(register=register), likelihood_value=3)

    response = viewer_client.get(
        reverse("risks:methodology-detail", args=[register.reference])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert headings(content, 1) == ["Likelihood x Settlement Impact"]
    assert headings(content) == [
        "Likelihood scale",
        "Settlement impact scale",
        "Rating levels",
        "Rating matrix",
    ]
    assert (
        '<th scope="row">Very High</th>\n'
        '          <td class="prose prose--cell"><p>Expected within the year.</p></td>'
    ) in content
    rating_rows = re.findall(
        r'<tr>\s*<th scope="row">(<span class="badge".*?)</tr>', content, re.DOTALL
    )
    assert [squash(row) for row in rating_rows] == [
        "Low 1 Low Risk Not set",
        "Medium 2 Medium Risk Not set",
        "High 3 High Risk Every 30 days",
        "Very High 4 Very High Risk Not set",
    ]
    assert len(re.findall(r'<td class="matrix__cell"', content)) == 25
    assert 'class="matrix__subrisk"' not in content
    assert f"{register.reference} · Methodology version 1" in content


def test_lessons_page_groups_lessons_by_source_in_order(viewer_client, register):
    legacy = RiskAreaFactory(register=register, number=4, name="Legacy")
    readiness = RiskAreaFactory(register=register, number=1, name="Readiness")
    second = LessonSourceFactory(register=register, key="P272", name="P272", order=2)
    first = LessonSourceFactory(register=register, key="AM", name="Advanced", order=1)
    LessonFactory(source=second, number=1, problem="Late flows.", lesson="Monitor.")
    lesson = LessonFactory(
        source=first,
        number=2,
        problem="Meters delivered:\n- access\n- billing",
        lesson="Expect delays.",
    )
    lesson.related_areas.add(legacy, readiness)
    LessonFactory(source=first, number=1, problem="Targets missed.", lesson="Plan.")
    LessonFactory(source=first, number=3, lesson="Gone", archived_at=timezone.now())

    response = viewer_client.get(
        reverse("risks:lesson-list", args=[register.reference])
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert headings(content) == ["Advanced", "P272"]
    assert re.findall(r'<tr id="lesson-([\w-]+)"', content) == [
        "AM-1",
        "AM-2",
        "P272-1",
    ]
    row = table_row(content, "lesson-AM-2")
    assert squash(row) == (
        "2 Meters delivered: access billing Expect delays. 1. Readiness 4. Legacy"
    )
    assert (
        "<p>Meters delivered:</p>\n<ul>\n<li>access</li>\n<li>billing</li>\n</ul>"
        in row
    )
    assert '<a href="/registers/TEST-1/areas/1/">1. Readiness</a>' in row
    assert "Gone" not in content


def test_glossary_page_lists_terms_alphabetically(viewer_client, register):
    GlossaryTermFactory(
        register=register, abbreviation="WAN", meaning="Wide Area Network"
    )
    GlossaryTermFactory(
        register=register, abbreviation="CoS", meaning="Change of Supplier"
    )
    GlossaryTermFactory(register=register, abbreviation="DCC", meaning="Data <Comms>")

    response = viewer_client.get(
        reverse("risks:glossary-list", args=[register.reference])
    )

    content = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr id="term-[\w-]+">(.*?)</tr>', content, re.DOTALL)
    assert [squash(row) for row in rows] == [
        "CoS Change of Supplier",
        "DCC Data &lt;Comms&gt;",
        "WAN Wide Area Network",
    ]
    assert "<caption>3 abbreviations, in alphabetical order</caption>" in content


def test_register_pages_mark_the_current_section_in_the_nav(viewer_client, register):
    for name, label in [
        ("risks:register-detail", "Overview"),
        ("risks:methodology-detail", "Methodology"),
        ("risks:lesson-list", "Lessons"),
        ("risks:glossary-list", "Glossary"),
    ]:
        url = reverse(name, args=[register.reference])

        content = viewer_client.get(url).content.decode()

        assert f'<a href="{url}" aria-current="page">{label}</a>' in content
        assert len(re.findall('aria-current="page"', content)) == 1
