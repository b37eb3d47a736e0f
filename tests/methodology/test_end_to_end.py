"""A 3 x 3 and a 7 x 7 methodology, set up through the editor and through the API,
rate the register through their own matrix, which the overview's heat map shows."""

import re

import pytest
from django.urls import reverse

from risks.document import methodology_to_document
from risks.models import MatrixCell, SubRisk
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory
from tests.methodology.conftest import (
    editor_url,
    form_fields,
    open_editor,
    post_editor,
    preview_payload,
)
from tests.pages.conftest import matrix_cell

pytestmark = pytest.mark.django_db

PLACES = [(5, 5), (4, 2), (2, 4), (1, 1), (3, 3)]
SPECS = {
    3: {
        "ratings": ["Low", "Medium", "High"],
        "bands": [(1, "Low"), (3, "Medium"), (6, "High")],
    },
    7: {
        "ratings": ["Low", "Medium", "High", "Very High"],
        "bands": [(1, "Low"), (6, "Medium"), (15, "High"), (30, "Very High")],
    },
}
THIRTEEN = {
    "SRR-2017/1.a": ("Very High", "Very Low", "Low"),
    "SRR-2017/2.a": ("High", "Very Low", "Low"),
    "SRR-2017/2.b": ("Low", "High", "Medium"),
    "SRR-2017/3.a": ("Medium", "Medium", "Medium"),
    "SRR-2017/4.a": ("Medium", "Medium", "Medium"),
    "SRR-2017/5.a": ("Very Low", "Very High", "Low"),
    "SRR-2017/5.b": ("Very High", "Very Low", "Low"),
    "SRR-2017/6.a": ("Very Low", "High", "Low"),
    "SRR-2017/6.b": ("Very High", "Very Low", "Low"),
    "SRR-2017/7.a": ("Medium", "Medium", "Medium"),
    "SRR-2017/8.a": ("Medium", "High", "High"),
    "SRR-2017/9.a": ("Low", "Medium", "Medium"),
    "SRR-2017/10.a": ("Low", "Medium", "Medium"),
}


def expected_rating(size, likelihood, impact):
    score = likelihood * impact
    return [name for lowest, name in SPECS[size]["bands"] if score >= lowest][-1]


@pytest.fixture
def register(db):
    """TEST-1 with the default 5 x 5 methodology and one sub-risk per place."""
    register = RegisterFactory(reference="TEST-1")
    area = RiskAreaFactory(register=register, number=1)
    for likelihood, impact in PLACES:
        SubRiskFactory(area=area, likelihood_value=likelihood, impact_value=impact)
    return register


def through_the_pages(client, register, size):
    """Resizes, labels, maps, fills from bands, previews and confirms in the editor."""
    spec = SPECS[size]
    fields = open_editor(client, register)
    fields.update(
        likelihood_count=str(size),
        impact_count=str(size),
        rating_count=str(len(spec["ratings"])),
    )
    fields = redraw(client, register, fields, "resize")
    for value in range(1, size + 1):
        fields[f"likelihood-{value}-label"] = f"Likelihood {value}"
        fields[f"impact-{value}-label"] = f"Impact {value}"
    for old in (4, 5):
        for scale in ("likelihood", "impact"):
            if f"{scale}_mapping-{old}" in fields:
                fields[f"{scale}_mapping-{old}"] = str(size)
    rows = {name: row for row, name in enumerate(spec["ratings"], start=1)}
    for row in rows.values():
        fields[f"bands-band-{row}"] = ""
    for lowest, name in spec["bands"]:
        fields[f"bands-band-{rows[name]}"] = str(lowest)
    fields = redraw(client, register, fields, "bands")

    preview = post_editor(client, register, fields)
    assert preview.status_code == 200, preview.content.decode()
    response = client.post(
        editor_url(register, "methodology-confirm"),
        {"payload": preview_payload(preview), "reason": f"{size} x {size}"},
    )
    assert response.status_code == 302
    return [
        (row["reference"], row["old"].name, row["new"].name)
        for row in preview.context["changes"]
    ]


def redraw(client, register, fields, action):
    response = post_editor(client, register, fields, action=action)
    assert response.status_code == 200, response.content.decode()
    return form_fields(
        response.content.decode(),
        f"/registers/{register.reference}/methodology/preview/",
    )


def through_the_api(client, register, size):
    """Proposes a matrix from bands, previews it and PUTs it, as a client would."""
    spec = SPECS[size]
    url = f"/api/v1/methodologies/{register.reference}/"
    current = methodology_to_document(register.methodology)
    bands = client.post(
        url + "from-bands/",
        {
            "bands": [
                {"rating": name, "lowest_score": lowest}
                for lowest, name in spec["bands"]
            ],
            "likelihood_levels": size,
            "impact_levels": size,
        },
        content_type="application/json",
    )
    assert bands.status_code == 200, bands.json()
    body = {
        "name": f"{size} x {size}",
        "likelihood_levels": [
            {"value": v, "label": f"Likelihood {v}"} for v in range(1, size + 1)
        ],
        "impact_levels": [
            {"value": v, "label": f"Impact {v}"} for v in range(1, size + 1)
        ],
        "rating_levels": [
            level
            for level in current["rating_levels"]
            if level["name"] in spec["ratings"]
        ],
        "matrix": bands.json()["matrix"],
        "likelihood_mapping": {"4": size, "5": size} if size < 5 else {},
        "impact_mapping": {"4": size, "5": size} if size < 5 else {},
        "reason": f"{size} x {size}",
    }
    preview = client.post(url + "preview/", body, content_type="application/json")
    assert preview.status_code == 200, preview.json()
    response = client.put(
        url,
        {**body, "revision": register.methodology.revision},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["changes"] == preview.json()["changes"]
    return [
        (change["reference"], change["old"], change["new"])
        for change in response.json()["changes"]
    ]


@pytest.mark.parametrize("size", [3, 7])
@pytest.mark.parametrize("channel", [through_the_pages, through_the_api])
def test_a_resized_methodology_rates_and_places_every_sub_risk(
    admin_client, viewer, register, size, channel
):
    before = dict(SubRisk.objects.values_list("reference", "rating__name"))
    before_ids = dict(SubRisk.objects.values_list("reference", "rating_id"))

    changes = channel(admin_client, register, size)

    subrisks = list(SubRisk.objects.select_related("likelihood", "impact", "rating"))
    placed = {
        subrisk.reference: (subrisk.likelihood.value, subrisk.impact.value)
        for subrisk in subrisks
    }
    expected_places = {
        f"TEST-1/1.{key}": (min(likelihood, size), min(impact, size))
        for key, (likelihood, impact) in zip("abcde", PLACES, strict=True)
    }
    assert placed == expected_places
    ratings = {subrisk.reference: subrisk.rating.name for subrisk in subrisks}
    assert ratings == {
        reference: expected_rating(size, *place)
        for reference, place in expected_places.items()
    }
    assert sorted(changes) == sorted(
        (reference, before[reference], ratings[reference])
        for reference in ratings
        if before[reference] != ratings[reference]
    )
    methodology = register.methodology
    assert MatrixCell.objects.filter(methodology=methodology).count() == size * size
    assert {subrisk.methodology_version for subrisk in subrisks} == {2}
    for subrisk in subrisks:
        if before[subrisk.reference] != subrisk.rating.name:
            entry = subrisk.history.first()
            assert entry.history_change_reason == (
                f"Methodology version 2: {size} x {size}"
            )
            # The old rating level may be gone (3 x 3 drops Very High).
            assert entry.prev_record.rating_id == before_ids[subrisk.reference]

    admin_client.force_login(viewer)
    html = admin_client.get(
        reverse("risks:register-detail", args=["TEST-1"])
    ).content.decode()
    assert len(re.findall(r'<td class="matrix__cell" id="cell-', html)) == size * size
    for reference, (likelihood, impact) in expected_places.items():
        cell = matrix_cell(html, likelihood, impact)
        assert f">1.{reference[-1]}</a>" in cell
        assert expected_rating(size, likelihood, impact) in cell


def test_the_2017_register_still_reproduces_the_thirteen_ratings(
    admin_client, register_2017
):
    def table():
        return {
            subrisk.reference: (
                subrisk.likelihood.label,
                subrisk.impact.label,
                subrisk.rating.name,
            )
            for subrisk in SubRisk.objects.select_related(
                "likelihood", "impact", "rating"
            )
        }

    assert table() == THIRTEEN

    preview = post_editor(
        admin_client, register_2017, open_editor(admin_client, register_2017)
    )
    saved = admin_client.post(
        editor_url(register_2017, "methodology-confirm"),
        {"payload": preview_payload(preview), "reason": "Saved unchanged"},
    )

    assert "No sub-risk would change rating." in preview.content.decode()
    assert saved.status_code == 302
    assert table() == THIRTEEN
    assert set(SubRisk.objects.values_list("methodology_version", flat=True)) == {2}
