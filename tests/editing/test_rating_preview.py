from http import HTTPStatus

import pytest
from django.urls import reverse

from risks.models import MatrixCell
from tests.factories import RegisterFactory

pytestmark = pytest.mark.django_db

URL = "/registers/TEST-1/rating-preview/"


def test_preview_returns_the_matrix_rating(editor_client, register):
    response = editor_client.get(URL, {"likelihood": "4", "impact": "3"})

    assert response.status_code == HTTPStatus.OK
    assert response.json() == {
        "likelihood": {"value": 4, "label": "High"},
        "impact": {"value": 3, "label": "Medium"},
        "rating": {
            "name": "High",
            "rank": 3,
            "colour": "#e8710a",
            "text_colour": "#000000",
        },
    }


def test_preview_follows_an_edited_matrix_cell(editor_client, register):
    methodology = register.methodology
    cell = MatrixCell.objects.get(
        methodology=methodology, likelihood__value=1, impact__value=1
    )
    cell.rating = methodology.rating_levels.get(name="Very High")
    cell.save()

    response = editor_client.get(URL, {"likelihood": "1", "impact": "1"})

    assert response.json()["rating"]["name"] == "Very High"


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        (
            {},
            {
                "likelihood": ["Likelihood: This field is required."],
                "impact": ["Settlement impact: This field is required."],
            },
        ),
        (
            {"likelihood": "9", "impact": "x"},
            {
                "likelihood": [
                    "Likelihood: Choose a likelihood of this register's scale."
                ],
                "impact": [
                    "Settlement impact: Choose a settlement impact of this "
                    "register's scale."
                ],
            },
        ),
    ],
)
def test_preview_refuses_bad_levels_naming_them(editor_client, register, query, errors):
    response = editor_client.get(URL, query)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"errors": errors}


def test_preview_reads_only_its_own_registers_scale(editor_client, register):
    other = RegisterFactory(reference="OTHER")
    other.methodology.likelihood_levels.filter(value=5).update(label="Certain")

    response = editor_client.get(URL, {"likelihood": "5", "impact": "1"})

    assert response.json()["likelihood"] == {"value": 5, "label": "Very High"}


def test_preview_of_an_unknown_register_is_not_found(editor_client, register):
    url = reverse("risks:rating-preview", args=["NOPE"])

    response = editor_client.get(url, {"likelihood": "1", "impact": "1"})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_preview_takes_get_only(editor_client, register):
    response = editor_client.post(URL, {"likelihood": "1", "impact": "1"})

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
