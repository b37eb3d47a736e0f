"""Every editing page and action: Editors only, checked on every method."""

from http import HTTPStatus
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from mitigations.models import Mitigation
from risks.models import RiskArea, RiskFactor, SubRisk
from tests.factories import LessonFactory, LessonSourceFactory

pytestmark = pytest.mark.django_db

# name, URL arguments after the register's reference
PAGES = [
    ("risks:area-create", []),
    ("risks:area-edit", [2]),
    ("risks:subrisk-create", [2]),
    ("risks:subrisk-edit", [2, "a"]),
    ("risks:factor-create", [2]),
    ("risks:factor-edit", [2, "F1"]),
    ("risks:mitigation-create", [2]),
    ("risks:mitigation-edit", [2, "M1"]),
    ("risks:lesson-create", []),
    ("risks:lesson-edit", ["AM", 1]),
]
ACTIONS = [
    ("risks:area-archive", [2]),
    ("risks:subrisk-archive", [2, "a"]),
    ("risks:factor-archive", [2, "F1"]),
    ("risks:mitigation-archive", [2, "M1"]),
    ("risks:mitigation-make-current", [2, "M2"]),
    ("risks:lesson-archive", ["AM", 1]),
]


@pytest.fixture
def urls(area):
    LessonFactory(
        source=LessonSourceFactory(register=area.register, key="AM"), number=1
    )

    def url(name, args):
        return reverse(name, args=[area.register.reference, *args])

    return {
        "pages": [url(name, args) for name, args in PAGES],
        "actions": [url(name, args) for name, args in ACTIONS],
        "preview": url("risks:rating-preview", []) + "?likelihood=1&impact=1",
    }


def everything(urls):
    return [*urls["pages"], *urls["actions"], urls["preview"]]


def test_anonymous_visitors_are_sent_to_log_in(client, urls):
    for url in everything(urls):
        for method in (client.get, client.post):
            response = method(url)

            assert response.status_code == HTTPStatus.FOUND, url
            assert response.url == f"{reverse('login')}?next={quote(url, safe='/')}"


@pytest.mark.parametrize("persona", ["viewer", "outsider", "methodology_admin"])
def test_anyone_but_an_editor_is_refused_on_get_and_post(
    client, request, persona, urls
):
    client.force_login(request.getfixturevalue(persona))

    for url in everything(urls):
        for method in (client.get, client.post):
            response = method(url, {"revision": "1", "statement": "Hacked."})

            assert response.status_code == HTTPStatus.FORBIDDEN, url
            assert "Changing a register needs the Editor role." in (
                response.content.decode()
            ), url

    assert not SubRisk.objects.filter(statement="Hacked.").exists()
    assert RiskArea.objects.get().archived_at is None
    assert Mitigation.objects.get(key="M2").kind == Mitigation.Kind.PROPOSED
    assert SubRisk.history.exclude(history_type="+").count() == 0


def test_an_editor_opens_every_page(editor_client, urls):
    for url in urls["pages"]:
        response = editor_client.get(url)

        assert response.status_code == HTTPStatus.OK, url
        assert '<form method="post" class="edit-form" id="form" novalidate' in (
            response.content.decode()
        ), url


def test_actions_take_posts_only(editor_client, urls):
    area_archive, *others = urls["actions"]
    for url in others:
        assert editor_client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    # An area's archive URL shows the page that asks to confirm it.
    assert editor_client.get(area_archive).status_code == HTTPStatus.OK
    assert RiskArea.objects.get().archived_at is None

    assert RiskFactor.objects.get().archived_at is None


def test_a_superuser_may_edit(client, urls):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))

    for url in urls["pages"]:
        assert client.get(url).status_code == HTTPStatus.OK, url


def test_read_pages_show_edit_buttons_to_editors_only(editor_client, viewer, area):
    viewer_client = Client()
    viewer_client.force_login(viewer)
    pages = [
        area.get_absolute_url(),
        reverse("risks:register-detail", args=[area.register.reference]),
        reverse("risks:lesson-list", args=[area.register.reference]),
    ]
    LessonFactory(
        source=LessonSourceFactory(register=area.register, key="AM"), number=1
    )

    editor_pages = [editor_client.get(url).content.decode() for url in pages]
    viewer_pages = [viewer_client.get(url).content.decode() for url in pages]

    area_page, overview, lessons = editor_pages
    assert 'href="/registers/TEST-1/areas/2/edit/">Edit area and its rows</a>' in (
        area_page
    )
    assert 'href="/registers/TEST-1/areas/2/subrisks/a/edit/">Edit' in area_page
    assert 'href="/registers/TEST-1/areas/2/factors/F1/edit/">Edit' in area_page
    assert 'href="/registers/TEST-1/areas/2/mitigations/M2/edit/">Edit' in area_page
    assert 'href="/registers/TEST-1/areas/2/archive/">Archive this area' in area_page
    assert 'href="/registers/TEST-1/areas/new/">Add a risk area</a>' in overview
    assert 'href="/registers/TEST-1/lessons/new/">Add a lesson</a>' in lessons
    assert 'href="/registers/TEST-1/lessons/AM/1/edit/">Edit' in lessons
    for html in viewer_pages:
        assert "/edit/" not in html
        assert "/archive/" not in html
        assert "/new/" not in html
