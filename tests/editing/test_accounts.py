from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.editing.conftest import page_text

pytestmark = pytest.mark.django_db

URL = "/accounts/password-change/"


def test_header_links_to_the_password_change_page(editor_client, register):
    html = editor_client.get(reverse("risks:register-list")).content.decode()

    assert f'<a class="site-header__link" href="{URL}">Change password</a>' in html


def test_password_change_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == f"/accounts/login/?next={URL}"


def test_password_change_page_is_labelled_and_explains_the_rules(viewer_client):
    response = viewer_client.get(URL)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Change your password</h1>" in html
    assert '<label for="id_old_password">Old password' in html
    assert '<label for="id_new_password1">New password' in html
    assert "Your password must contain at least 8 characters." in html
    assert "&lt;ul&gt;" not in html


def test_password_change_applies_the_validators_and_names_the_field(
    viewer_client, viewer
):
    response = viewer_client.post(
        URL,
        {
            "old_password": "correct-horse-42",
            "new_password1": "12345678",
            "new_password2": "12345678",
        },
    )

    text = page_text(response)
    assert response.status_code == HTTPStatus.OK
    assert "The password was not changed" in text
    assert "New password confirmation: This password is too common." in text
    assert "New password confirmation: This password is entirely numeric." in text
    viewer.refresh_from_db()
    assert viewer.check_password("correct-horse-42")


def test_password_change_refuses_a_wrong_old_password(viewer_client, viewer):
    response = viewer_client.post(
        URL,
        {
            "old_password": "wrong",
            "new_password1": "a-much-better-passphrase",
            "new_password2": "a-much-better-passphrase",
        },
    )

    assert "Old password: Your old password was entered incorrectly." in page_text(
        response
    )
    viewer.refresh_from_db()
    assert viewer.check_password("correct-horse-42")


def test_password_change_keeps_the_user_logged_in(viewer_client, viewer):
    response = viewer_client.post(
        URL,
        {
            "old_password": "correct-horse-42",
            "new_password1": "a-much-better-passphrase",
            "new_password2": "a-much-better-passphrase",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/accounts/password-change/done/"
    done = viewer_client.get(response.url)
    assert "Your new password is in use." in page_text(done)
    viewer.refresh_from_db()
    assert viewer.check_password("a-much-better-passphrase")


def test_logout_is_a_post_and_ends_the_session(viewer_client, register):
    assert viewer_client.get("/accounts/logout/").status_code == (
        HTTPStatus.METHOD_NOT_ALLOWED
    )

    response = viewer_client.post("/accounts/logout/")

    assert response.status_code == HTTPStatus.FOUND
    assert response.url == "/accounts/login/"
    assert viewer_client.get("/").status_code == HTTPStatus.FOUND


def test_sessions_expire(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
