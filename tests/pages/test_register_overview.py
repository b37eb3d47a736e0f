import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from risks.models import Register
from tests.factories import (
    GlossaryTermFactory,
    RegisterFactory,
    RiskAreaFactory,
    SubRiskFactory,
)
from tests.pages.conftest import matrix_cell, squash, table_row

pytestmark = pytest.mark.django_db

LOW = (
    '<span class="badge" style="background-color: #2e7d32; color: #ffffff;">Low</span>'
)
MEDIUM = (
    '<span class="badge" style="background-color: #f2c200; color: #000000;">'
    "Medium</span>"
)
HIGH = (
    '<span class="badge" style="background-color: #e8710a; color: #000000;">High</span>'
)
VERY_HIGH = (
    '<span class="badge" style="background-color: #c62828; color: #ffffff;">'
    "Very High</span>"
)


@pytest.fixture
def overview_register(register):
    """Eight live sub-risks over six areas, two groups, and one archived sub-risk."""

    def area(number, name, group="", **kwargs):
        return RiskAreaFactory(
            register=register, number=number, name=name, group=group, **kwargs
        )

    def subrisk(area, likelihood, impact, statement, **kwargs):
        return SubRiskFactory(
            area=area,
            likelihood_value=likelihood,
            impact_value=impact,
            statement=statement,
            **kwargs,
        )

    readiness = area(1, "Readiness")
    installation = area(2, "Installation")
    interop = area(
        3, "Inter-operability", statement="The risk of a Change of Supplier."
    )
    metering = area(5, "Metering", "Data Retrieval")
    other = area(6, "Other things", "Zeta")
    agents = area(8, "Supplier-agent interfaces", "Data Retrieval")
    late = area(9, "Late ungrouped area")
    subrisk(readiness, 5, 1, "The roll-out is delayed.")
    subrisk(installation, 4, 1, "Aborted visits.")
    subrisk(installation, 2, 4, "Installation errors.")
    subrisk(installation, 5, 5, "Archived.", archived_at=timezone.now())
    subrisk(interop, 3, 3, "Gaining supplier cannot process data.")
    subrisk(metering, 1, 5, "Systemic issues with a batch of meters.")
    subrisk(other, 5, 5, "Something very bad.")
    subrisk(agents, 3, 4, "Supplier interface with its MOA and DC.")
    subrisk(late, 1, 1, "A minor matter.")
    return register


def get_overview(client, register, **params):
    return client.get(
        reverse("risks:register-detail", args=[register.reference]), params
    )


def summary_refs(content):
    return re.findall(r'<tr id="row-(\d+)-(\w+)"', content)


def heat_map(content):
    """Every cell of the heat map with the sub-risk references placed in it."""
    return {
        (likelihood, impact): re.findall(
            r">(\d+\.\w+)</a>", matrix_cell(content, likelihood, impact)
        )
        for likelihood in range(1, 6)
        for impact in range(1, 6)
    }


def rating_counts(content):
    return {
        squash(name): int(count)
        for name, count in re.findall(
            r'<tr id="count-\d">\s*<th scope="row">(.*?)</th>\s*'
            r'<td class="numeric">(\d+)</td>',
            content,
            re.DOTALL,
        )
    }


def test_register_list_shows_a_single_register_with_a_link(viewer_client, register):
    RegisterFactory(reference="GONE", archived_at=timezone.now())

    response = viewer_client.get(reverse("risks:register-list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/registers/TEST-1/">Test register</a>' in content
    assert "GONE" not in content


def test_register_list_renders_dates_in_british_style(viewer_client, register):
    Register.objects.filter(pk=register.pk).update(
        effective_date="2017-09-24", approving_body="BSC Panel", paper_reference="1/2"
    )

    content = viewer_client.get(reverse("risks:register-list")).content.decode()

    assert "<td>24 September 2017</td>" in content
    assert "<td>BSC Panel (1/2)</td>" in content


def test_overview_lists_live_subrisks_ungrouped_first_then_groups_in_order(
    viewer_client, overview_register
):
    response = get_overview(viewer_client, overview_register)

    content = response.content.decode()
    assert response.status_code == 200
    assert summary_refs(content) == [
        ("1", "a"),
        ("2", "a"),
        ("2", "b"),
        ("3", "a"),
        ("9", "a"),
        ("5", "a"),
        ("8", "a"),
        ("6", "a"),
    ]
    assert re.findall(
        r'<tr class="group-row"><th scope="colgroup" colspan="6">'
        r"(.*?)</th></tr>",
        content,
    ) == ["Data Retrieval", "Zeta"]
    retrieval = content.index('colspan="6">Data Retrieval</th>')
    zeta = content.index('colspan="6">Zeta</th>')
    assert content.index("row-9-a") < retrieval < content.index("row-5-a")
    assert content.index("row-8-a") < zeta < content.index("row-6-a")


def test_overview_row_shows_area_statement_levels_and_badge(
    viewer_client, overview_register
):
    content = get_overview(viewer_client, overview_register).content.decode()

    installation_b = table_row(content, "row-2-b")
    assert squash(installation_b) == "2.b Installation errors. Low High Medium"
    assert MEDIUM in installation_b
    assert '<a href="/registers/TEST-1/areas/2/#subrisk-b">2.b</a>' in installation_b
    installation_a = table_row(content, "row-2-a")
    assert (
        '<th scope="rowgroup" rowspan="2" class="area-cell">\n'
        '                          <a href="/registers/TEST-1/areas/2/">'
        "2. Installation</a>"
    ) in installation_a
    assert LOW in installation_a
    assert HIGH in table_row(content, "row-8-a")
    assert VERY_HIGH in table_row(content, "row-6-a")


def test_overview_counts_every_rating_level_including_zeros(
    viewer_client, overview_register
):
    content = get_overview(viewer_client, overview_register).content.decode()

    assert rating_counts(content) == {
        "Low": 4,
        "Medium": 2,
        "High": 1,
        "Very High": 1,
    }
    assert '<tr><th scope="row">Total</th><td class="numeric">8</td></tr>' in content


def test_heat_map_places_each_subrisk_in_its_cell(viewer_client, overview_register):
    content = get_overview(viewer_client, overview_register).content.decode()

    expected = {
        (likelihood, impact): [] for likelihood in range(1, 6) for impact in range(1, 6)
    }
    expected.update(
        {
            (5, 1): ["1.a"],
            (4, 1): ["2.a"],
            (2, 4): ["2.b"],
            (3, 3): ["3.a"],
            (1, 5): ["5.a"],
            (5, 5): ["6.a"],
            (3, 4): ["8.a"],
            (1, 1): ["9.a"],
        }
    )
    assert heat_map(content) == expected
    cell = matrix_cell(content, 3, 4)
    assert '<span class="matrix__rating">High</span>' in cell
    assert 'href="/registers/TEST-1/areas/8/#subrisk-a"' in cell


def test_heat_map_draws_highest_likelihood_first_and_impact_ascending(
    viewer_client, overview_register
):
    content = get_overview(viewer_client, overview_register).content.decode()

    rows = re.findall(
        r'<th scope="row" class="matrix__likelihood"><span class="matrix__value">'
        r"(\d)</span> ([\w ]+)</th>",
        content,
    )
    columns = re.findall(
        r'<th scope="col" class="matrix__impact"><span class="matrix__value">'
        r"(\d)</span> ([\w ]+)</th>",
        content,
    )
    assert rows == [
        ("5", "Very High"),
        ("4", "High"),
        ("3", "Medium"),
        ("2", "Low"),
        ("1", "Very Low"),
    ]
    assert [value for value, _ in columns] == ["1", "2", "3", "4", "5"]
    assert 'id="cell-5-5" style="background-color: #c62828; color: #ffffff;"' in content
    assert '<span class="matrix__rating">Very High</span>' in matrix_cell(content, 5, 4)
    assert '<span class="matrix__rating">Low</span>' in matrix_cell(content, 1, 5)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"rating": "Medium"}, [("2", "b"), ("3", "a")]),
        ({"likelihood": "5"}, [("1", "a"), ("6", "a")]),
        ({"impact": "1"}, [("1", "a"), ("2", "a"), ("9", "a")]),
        ({"group": "Data Retrieval"}, [("5", "a"), ("8", "a")]),
        ({"q": "batch of"}, [("5", "a")]),
        ({"q": "supplier-AGENT"}, [("8", "a")]),
        ({"q": "Change of Supplier"}, [("3", "a")]),
        ({"rating": "Low", "group": "Data Retrieval"}, [("5", "a")]),
        ({"rating": "", "likelihood": "", "q": ""}, None),
    ],
)
def test_overview_filters_narrow_the_table(
    viewer_client, overview_register, params, expected
):
    response = get_overview(viewer_client, overview_register, **params)

    content = response.content.decode()
    assert response.status_code == 200
    if expected is None:
        assert len(summary_refs(content)) == 8
        assert 'id="filter-status"' not in content
    else:
        assert summary_refs(content) == expected
        assert 'id="filter-status"' in content


def test_filtered_counts_and_heat_map_reflect_the_filtered_set(
    viewer_client, overview_register
):
    content = get_overview(
        viewer_client, overview_register, group="Data Retrieval"
    ).content.decode()

    assert rating_counts(content) == {"Low": 1, "Medium": 0, "High": 1, "Very High": 0}
    placed = {cell: refs for cell, refs in heat_map(content).items() if refs}
    assert placed == {(1, 5): ["5.a"], (3, 4): ["8.a"]}
    assert squash(content[content.index('id="filter-status"') :].split("</p>")[0]) == (
        'id="filter-status"> Showing 2 sub-risks matching the filters. The counts '
        "per rating and the heat map below reflect these sub-risks only."
    )


def test_a_rating_filter_in_any_case_chooses_that_rating(
    viewer_client, overview_register
):
    lower = get_overview(viewer_client, overview_register, rating="high")
    exact = get_overview(viewer_client, overview_register, rating="High")

    assert lower.status_code == 200
    assert '<option value="High" selected>High</option>' in lower.content.decode()
    assert summary_refs(lower.content.decode()) == summary_refs(exact.content.decode())
    assert summary_refs(exact.content.decode())


def test_filter_form_is_labelled_and_keeps_the_choices(
    viewer_client, overview_register
):
    content = get_overview(
        viewer_client, overview_register, rating="High"
    ).content.decode()

    assert '<form method="get" class="filters"' in content
    for name, label in [
        ("rating", "Rating"),
        ("likelihood", "Likelihood"),
        ("impact", "Settlement impact"),
        ("group", "Group"),
        ("q", "Search"),
    ]:
        assert f'<label for="id_{name}">{label}</label>' in content
    assert '<option value="High" selected>High</option>' in content
    assert '<option value="5">5 – Very High</option>' in content
    assert re.findall(
        r'<option value="([^"]*)"',
        content.split('id="id_group"')[1].split("</select>")[0],
    ) == [
        "",
        "Data Retrieval",
        "Zeta",
    ]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"rating": "Purple"}, "Unknown rating 'Purple'."),
        ({"likelihood": "9"}, "Unknown likelihood '9'."),
        ({"likelihood": "abc"}, "Unknown likelihood 'abc'."),
        ({"impact": "0"}, "Unknown settlement impact '0'."),
        ({"group": "Nope"}, "Unknown group 'Nope'."),
        ({"q": "x" * 201}, "Search text is too long (at most 200 characters)."),
        ({"q": "a\x00b"}, "Search text cannot contain null characters."),
    ],
)
def test_invalid_filter_is_a_bad_request_naming_the_field(
    viewer_client, overview_register, params, message
):
    response = get_overview(viewer_client, overview_register, **params)

    content = response.content.decode()
    assert response.status_code == 400
    errors = re.search(
        r'<div class="message message--error" role="alert" id="filter-errors">.*?'
        r"<ul>(.*?)</ul>",
        content,
        re.DOTALL,
    ).group(1)
    assert [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", errors)] == [
        message
    ]
    assert summary_refs(content) == []


def test_invalid_filter_value_is_shown_escaped(viewer_client, overview_register):
    response = get_overview(
        viewer_client, overview_register, rating="<script>alert(1)</script>"
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "<script>" not in content
    assert (
        "Unknown rating &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;." in content
    )


def test_overview_wraps_glossary_abbreviations(viewer_client, overview_register):
    GlossaryTermFactory(
        register=overview_register, abbreviation="MOA", meaning="Meter Operator Agent"
    )

    content = get_overview(viewer_client, overview_register).content.decode()

    assert (
        'Supplier interface with its <abbr title="Meter Operator Agent">MOA</abbr> '
        "and DC." in table_row(content, "row-8-a")
    )


def build_register(reference, areas, subrisks_per_area, terms):
    register = RegisterFactory(reference=reference)
    for number in range(1, areas + 1):
        area = RiskAreaFactory(
            register=register,
            number=number,
            group="Data Retrieval" if number > areas // 2 else "",
        )
        for index in range(subrisks_per_area):
            SubRiskFactory(
                area=area, likelihood_value=index % 5 + 1, impact_value=number % 5 + 1
            )
    for index in range(terms):
        GlossaryTermFactory(register=register, abbreviation=f"T{index}")
    return register


# Session, user, its permissions (2), register, 3 scales, cells, groups, rows,
# glossary.
OVERVIEW_QUERIES = 12


@pytest.mark.parametrize("params", [{}, {"rating": "Low", "q": "thing"}])
def test_overview_query_count_does_not_grow_with_the_register(
    viewer_client, django_assert_num_queries, params
):
    small = build_register("SMALL", areas=1, subrisks_per_area=1, terms=1)
    large = build_register("LARGE", areas=10, subrisks_per_area=4, terms=30)

    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert get_overview(viewer_client, small, **params).status_code == 200
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = get_overview(viewer_client, large, **params)

    assert response.status_code == 200
    if not params:
        assert len(summary_refs(response.content.decode())) == 40
