import pytest
from django.test import Client
from rest_framework import status

from risks.models import ApiToken
from risks.tokens import api_token_issue
from tests.factories import SubRiskFactory

pytestmark = pytest.mark.django_db

NOT_FOUND = {
    "errors": [
        {
            "field": None,
            "message": "No API endpoint has this address; the list of them is at "
            "/api/v1/.",
            "code": "not_found",
        }
    ]
}


@pytest.mark.parametrize("debug", [True, False])
def test_a_write_without_its_trailing_slash_is_redirected_keeping_its_method(
    api, settings, debug
):
    settings.DEBUG = debug
    subrisk = SubRiskFactory(statement="Before.")
    url = f"/api/v1/subrisks/{subrisk.reference}"

    response = api.patch(
        f"{url}?x=1", {"statement": "After."}, content_type="application/json"
    )

    assert response.status_code == status.HTTP_308_PERMANENT_REDIRECT
    assert response["Location"] == f"{url}/?x=1"
    subrisk.refresh_from_db()
    assert subrisk.statement == "Before."


def test_following_the_redirect_makes_the_write(api):
    subrisk = SubRiskFactory(statement="Before.")
    url = f"/api/v1/subrisks/{subrisk.reference}"
    etag = api.get(f"{url}/")["ETag"]

    response = api.patch(
        url,
        {"statement": "After."},
        content_type="application/json",
        headers={"if-match": etag},
        follow=True,
    )

    assert response.redirect_chain == [(f"{url}/", 308)]
    assert response.status_code == status.HTTP_200_OK
    subrisk.refresh_from_db()
    assert subrisk.statement == "After."


@pytest.mark.parametrize("debug", [True, False])
@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/nope", "/api/v1/subrisk/"])
def test_an_unknown_address_is_a_404_in_the_error_shape(client, settings, debug, url):
    settings.DEBUG = debug

    response = client.post(url, {}, content_type="application/json")

    assert response.status_code == status.HTTP_404_NOT_FOUND
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/api/v1/subrisks/{reference}", 308), ("/api/v1/nope/", 404)],
)
def test_a_token_client_without_a_csrf_cookie_gets_the_apis_answer(
    editor, path, expected
):
    key = api_token_issue(
        ApiToken(user=editor, name="Writer", scope=ApiToken.Scope.READ_WRITE)
    )
    client = Client(
        enforce_csrf_checks=True, headers={"authorization": f"Bearer {key}"}
    )
    subrisk = SubRiskFactory()

    response = client.patch(
        path.format(reference=subrisk.reference), {}, content_type="application/json"
    )

    assert response.status_code == expected
