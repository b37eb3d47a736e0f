import json
from pathlib import Path

import pytest

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


@pytest.fixture
def register_document():
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.fixture
def register_2017(register_document):
    """The 2017 smart risk register, loaded from fixtures/ as a user would."""
    return register_create_from_document(data=register_document)


@pytest.fixture
def viewer(db):
    return UserFactory(username="viewer")


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client
