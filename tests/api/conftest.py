import datetime as dt

import pytest
from django.test import Client

from risks.models import ApiToken
from risks.tokens import api_token_issue
from tests.factories import RegisterFactory

CREATED = dt.datetime(2024, 1, 15, 9, 30, tzinfo=dt.UTC)
UPDATED = dt.datetime(2024, 2, 1, 12, 0, tzinfo=dt.UTC)
CREATED_JSON = "2024-01-15T09:30:00Z"
UPDATED_JSON = "2024-02-01T12:00:00Z"


@pytest.fixture
def fix_timestamps():
    """Sets every row of the given querysets to CREATED and UPDATED."""

    def fix(*querysets):
        for queryset in querysets:
            queryset.update(created_at=CREATED, updated_at=UPDATED)

    return fix


@pytest.fixture
def register(db):
    return RegisterFactory(reference="REG-A", name="Register A")


@pytest.fixture
def token_client(viewer):
    key = api_token_issue(ApiToken(user=viewer, name="Dashboard"))
    return Client(headers={"authorization": f"Token {key}"})


@pytest.fixture
def api(editor):
    """An API client with a read-write token of an Editor."""
    key = api_token_issue(
        ApiToken(user=editor, name="Assessments", scope=ApiToken.Scope.READ_WRITE)
    )
    return Client(headers={"authorization": f"Bearer {key}"})
