import pytest
from django.test import Client
from rest_framework import status

from risks.models import ApiToken
from risks.tokens import api_token_issue

pytestmark = pytest.mark.django_db

LIST = "/api/v1/registers/"


@pytest.fixture
def rates(settings):
    """Sets the token and user rates for one test."""

    def set_rates(token=None, user=None):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"token": token, "user": user},
        }

    return set_rates


def client_for(user, name):
    key = api_token_issue(ApiToken(user=user, name=name))
    return Client(headers={"authorization": f"Bearer {key}"})


def test_a_token_past_its_rate_gets_429_with_retry_after(viewer, rates):
    rates(token="2/minute")
    client = client_for(viewer, "Dashboard")

    codes = [client.get(LIST).status_code for _ in range(3)]

    assert codes == [status.HTTP_200_OK, status.HTTP_200_OK, 429]
    response = client.get(LIST)
    assert 0 < int(response["Retry-After"]) <= 60
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == (None, "throttled")
    assert error["message"].startswith("Request was throttled.")


def test_each_token_has_its_own_count(viewer, rates):
    rates(token="1/minute")
    first = client_for(viewer, "Dashboard")
    second = client_for(viewer, "Monitoring")

    assert first.get(LIST).status_code == status.HTTP_200_OK
    assert second.get(LIST).status_code == status.HTTP_200_OK
    assert first.get(LIST).status_code == status.HTTP_429_TOO_MANY_REQUESTS


def test_the_user_rate_covers_all_their_tokens_and_session(
    viewer, viewer_client, rates
):
    rates(user="2/minute")
    first = client_for(viewer, "Dashboard")
    second = client_for(viewer, "Monitoring")

    codes = [
        first.get(LIST).status_code,
        second.get(LIST).status_code,
        viewer_client.get(LIST).status_code,
    ]

    assert codes == [status.HTTP_200_OK, status.HTTP_200_OK, 429]


def test_other_users_are_not_slowed(viewer, editor, rates):
    rates(token="1/minute", user="1/minute")
    client_for(viewer, "Dashboard").get(LIST)

    assert client_for(editor, "Dashboard").get(LIST).status_code == status.HTTP_200_OK


def test_no_rate_means_no_limit(viewer, rates):
    rates()
    client = client_for(viewer, "Dashboard")

    codes = {client.get(LIST).status_code for _ in range(5)}

    assert codes == {status.HTTP_200_OK}


def test_default_rates_come_from_the_environment():
    from django.conf import settings

    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] == {
        "token": "600/minute",
        "user": "1200/minute",
    }


@pytest.mark.parametrize("value", ["often", "10/fortnight", "ten/minute", "10"])
def test_a_bad_rate_in_the_environment_stops_the_start(monkeypatch, value):
    from django.core.exceptions import ImproperlyConfigured

    from riskregister.settings import _throttle_rate

    monkeypatch.setenv("API_TOKEN_RATE", value)

    with pytest.raises(ImproperlyConfigured, match="API_TOKEN_RATE must look like"):
        _throttle_rate("API_TOKEN_RATE", "600/minute")


@pytest.mark.parametrize(("value", "rate"), [("", None), ("30/second", "30/second")])
def test_a_rate_from_the_environment_is_read(monkeypatch, value, rate):
    from riskregister.settings import _throttle_rate

    monkeypatch.setenv("API_TOKEN_RATE", value)

    assert _throttle_rate("API_TOKEN_RATE", "600/minute") == rate


def test_a_token_may_ask_again_once_its_window_has_passed(viewer, rates, monkeypatch):
    import time

    from django_ratelimit import core

    now = [time.time()]
    monkeypatch.setattr(core.time, "time", lambda: now[0])
    rates(token="1/minute")
    client = client_for(viewer, "Dashboard")
    assert client.get(LIST).status_code == status.HTTP_200_OK
    refused = client.get(LIST)

    now[0] += int(refused["Retry-After"])

    assert refused.status_code == status.HTTP_429_TOO_MANY_REQUESTS
    assert client.get(LIST).status_code == status.HTTP_200_OK
