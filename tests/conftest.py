import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches

from risks import content_version, roles
from risks.services import register_create_from_document
from tests.factories import UserFactory

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "smart-risk-register-2017.json"
)


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    # API throttles count requests in the cache, and list bodies are kept in
    # another: each test starts from nothing.
    for cache in caches.all():
        cache.clear()


@pytest.fixture(autouse=True)
def _content_version_raised_at_once(request, monkeypatch):
    """Raises the content version as each change is written.

    A test's changes never commit: they are rolled back at its end, so the
    version would never move. Tests on real transactions keep the real path.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not transactional:
        monkeypatch.setattr(
            content_version,
            "_after_commit",
            lambda connection: content_version.raise_version(connection.alias),
        )


@pytest.fixture
def register_document():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def register_2017(register_document):
    """The 2017 smart risk register, loaded from fixtures/ as a user would."""
    return register_create_from_document(data=register_document)


def _user_with_role(username, role):
    user = UserFactory(username=username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def viewer(db):
    return _user_with_role("viewer", roles.VIEWER)


@pytest.fixture
def editor(db):
    return _user_with_role("editor", roles.EDITOR)


@pytest.fixture
def methodology_admin(db):
    return _user_with_role("methodology-admin", roles.METHODOLOGY_ADMIN)


@pytest.fixture
def outsider(db):
    """Logged in, but with no role: may see nothing of any register."""
    return _user_with_role("outsider", None)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
