"""The pages of the 2017 register loaded from fixtures/, against DOMAIN.md."""

import re

import pytest
from django.urls import reverse

from tests.pages.conftest import headings, squash, table_row

pytestmark = pytest.mark.django_db

# DOMAIN.md's thirteen ratings: ref, area, likelihood, impact, rating.
SOURCE_RATINGS = [
    ("1.a", "1. Readiness", "Very High", "Very Low", "Low"),
    ("2.a", "2. Installation", "High", "Very Low", "Low"),
    ("2.b", "2. Installation", "Low", "High", "Medium"),
    ("3.a", "3. Inter-operability", "Medium", "Medium", "Medium"),
    ("4.a", "4. Legacy", "Medium", "Medium", "Medium"),
    ("5.a", "5. Metering", "Very Low", "Very High", "Low"),
    ("5.b", "5. Metering", "Very High", "Very Low", "Low"),
    ("6.a", "6. Communications", "Very Low", "High", "Low"),
    ("6.b", "6. Communications", "Very High", "Very Low", "Low"),
    ("7.a", "7. DCC user interface", "Medium", "Medium", "Medium"),
    ("8.a", "8. Supplier-agent interfaces", "Medium", "High", "High"),
    ("9.a", "9. Meter operations", "Low", "Medium", "Medium"),
    ("10.a", "10. Data processing", "Low", "Medium", "Medium"),
]


def test_overview_shows_the_thirteen_subrisks_with_the_source_ratings(
    viewer_client, register_2017
):
    response = viewer_client.get(reverse("risks:register-detail", args=["SRR-2017"]))

    content = response.content.decode()
    assert response.status_code == 200
    rows = re.findall(r'<tr id="row-(\d+)-(\w)">(.*?)</tr>', content, re.DOTALL)
    shown = []
    for number, key, row in rows:
        area = re.search(r'class="area-cell">\s*<a [^>]*>(.*?)</a>', row)
        cells = re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        shown.append(
            (
                f"{number}.{key}",
                area.group(1) if area else shown[-1][1],
                cells[0],
                cells[1],
                squash(cells[2]),
            )
        )
    assert shown == SOURCE_RATINGS
    assert re.findall(r'colspan="6">(.*?)</th>', content) == ["Data Retrieval"]
    assert content.index("row-4-a") < content.index('colspan="6">Data Retrieval')
    assert content.index('colspan="6">Data Retrieval') < content.index("row-5-a")


def test_overview_counts_and_heat_map_of_the_2017_register(
    viewer_client, register_2017
):
    content = viewer_client.get(
        reverse("risks:register-detail", args=["SRR-2017"])
    ).content.decode()

    counts = re.findall(
        r'<tr id="count-\d">\s*<th scope="row">(.*?)</th>\s*'
        r'<td class="numeric">(\d+)</td>',
        content,
        re.DOTALL,
    )
    assert [(squash(name), int(n)) for name, n in counts] == [
        ("Low", 6),
        ("Medium", 6),
        ("High", 1),
        ("Very High", 0),
    ]
    cell = re.search(r'id="cell-5-1"[^>]*>(.*?)</td>', content, re.DOTALL).group(1)
    assert re.findall(r">(\d+\.\w)</a>", cell) == ["1.a", "5.b", "6.b"]


def test_area_8_page_shows_its_high_rating_and_section_six_in_order(
    viewer_client, register_2017
):
    response = viewer_client.get(reverse("risks:area-detail", args=["SRR-2017", 8]))

    content = response.content.decode()
    assert response.status_code == 200
    assert headings(content, 1) == ["Supplier-agent interfaces"]
    assert headings(content) == [
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
    high = (
        '<span class="badge" style="background-color: #e8710a; color: #000000;">'
        "High</span>"
    )
    assert high in table_row(content, "subrisk-a")
    assert high in content.split('id="overall-heading"')[1].split("</section>")[0]
    assert '<a href="/registers/SRR-2017/areas/4/">Risk area 4: Legacy</a>' in content
    assert '<abbr title="Meter Operator Agent">MOA</abbr>' in content
