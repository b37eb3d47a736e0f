import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import RiskAreaFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("risks:register-list", False),
    ("risks:register-detail", True),
    ("risks:methodology-detail", True),
    ("risks:lesson-list", True),
    ("risks:glossary-list", True),
]


def page_urls(register):
    area = RiskAreaFactory(register=register, number=1)
    urls = [
        reverse(name, args=[register.reference] if with_register else [])
        for name, with_register in PAGES
    ]
    return [*urls, reverse("risks:area-detail", args=[register.reference, area.number])]


def test_every_page_redirects_anonymous_visitors_to_login(client, register):
    for url in page_urls(register):
        response = client.get(url)

        assert response.status_code == 302, url
        assert response.url == f"{reverse('login')}?next={url}", url


def test_every_page_refuses_a_user_without_a_role(outsider_client, register):
    for url in page_urls(register):
        response = outsider_client.get(url)

        assert response.status_code == 403, url
        assert "You cannot view this page" in response.content.decode(), url


def test_every_page_renders_for_a_logged_in_viewer(viewer_client, register):
    for url in page_urls(register):
        response = viewer_client.get(url)

        assert response.status_code == 200, url
        assert '<html lang="en-GB">' in response.content.decode(), url


@pytest.mark.parametrize(
    "url",
    [
        "/registers/NOPE/",
        "/registers/NOPE/areas/1/",
        "/registers/NOPE/methodology/",
        "/registers/NOPE/lessons/",
        "/registers/NOPE/glossary/",
        "/registers/TEST-1/areas/2/",
        "/registers/TEST-1/areas/99999999999/",
    ],
)
def test_unknown_register_or_area_is_not_found(viewer_client, register, url):
    RiskAreaFactory(register=register, number=1)

    response = viewer_client.get(url)

    assert response.status_code == 404


def test_archived_area_is_not_found(viewer_client, register):
    RiskAreaFactory(register=register, number=1, archived_at=timezone.now())

    response = viewer_client.get("/registers/TEST-1/areas/1/")

    assert response.status_code == 404


def test_login_page_is_styled_and_labelled(client):
    response = client.get(reverse("login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html


def test_login_page_explains_a_wrong_password(client, viewer):
    response = client.post(
        reverse("login"), {"username": "viewer", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert '<div class="message message--error" role="alert">' in (
        response.content.decode()
    )
    assert "Please enter a correct username and password." in (
        response.content.decode()
    )


def test_header_offers_a_post_logout_and_admin_only_to_staff(
    viewer_client, staff_client, register
):
    url = reverse("risks:register-detail", args=[register.reference])

    viewer_html = viewer_client.get(url).content.decode()
    staff_html = staff_client.get(url).content.decode()

    assert '<form method="post" action="/accounts/logout/"' in viewer_html
    assert '<a href="/api/docs/">API docs</a>' in viewer_html
    assert '<a href="/admin/">Admin</a>' not in viewer_html
    assert '<a href="/admin/">Admin</a>' in staff_html


def test_register_list_marks_itself_current_in_the_nav(viewer_client, register):
    content = viewer_client.get(reverse("risks:register-list")).content.decode()

    assert '<a href="/" aria-current="page">Registers</a>' in content
