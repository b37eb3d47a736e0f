"""Schemathesis against the API's own OpenAPI schema, through the WSGI app.

Each operation gets a bounded number of generated requests, valid and invalid,
as a read-write token of an Editor, over the 2017 register. Path references are
sometimes real ones, so details and writes reach records, not only 404s. Every
example runs in a savepoint that is rolled back, so examples do not see each
other's writes. Checks: no 5xx, every status is one the schema lists for the
operation, and every response matches the schema.
"""

import json

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from risks import roles
from risks.models import ApiToken, RiskFactor, SubRisk
from risks.tokens import api_token_issue

pytestmark = pytest.mark.django_db

EXAMPLES = 12


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


SCHEMA = _schema()
OPERATIONS = [
    (method.upper(), path)
    for path, item in SCHEMA["paths"].items()
    for method in item
    if method in {"get", "post", "put", "patch", "delete"}
]


def _keep_the_connection_open():
    # As Django's test client does while it calls the app (and undoes after each
    # request): closing the connection would end the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)


@pytest.fixture
def wsgi_app():
    _keep_the_connection_open()
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def key(editor):
    # Both writing roles, so every endpoint is reachable, methodology's too.
    editor.groups.add(Group.objects.get(name=roles.METHODOLOGY_ADMIN))
    return api_token_issue(
        ApiToken(user=editor, name="Schemathesis", scope=ApiToken.Scope.READ_WRITE)
    )


def _real_references(path, register):
    """References of live records the operation's path names, if it has one."""
    if "{reference}" not in path:
        return []
    collection = path.split("/")[3]
    register_ref = register.reference
    return {
        "areas": [area.reference for area in register.areas.all()[:3]],
        "subrisks": list(
            SubRisk.objects.filter(area__register=register).values_list(
                "reference", flat=True
            )[:3]
        ),
        "ratings": ["SRR-2017/2.b"],
        "factors": list(
            RiskFactor.objects.filter(area__register=register).values_list(
                "reference", flat=True
            )[:3]
        ),
        "mitigations": ["SRR-2017/1/M1", "SRR-2017/8/M1"],
        "registers": [register_ref],
        "methodologies": [register_ref],
        "lessons": ["SRR-2017/L/AM-1"],
        "glossary": ["SRR-2017/G/DCC"],
    }.get(collection, [register_ref])


VALID_BODIES = {
    "/api/v1/areas/": {
        "register": "SRR-2017",
        "number": 11,
        "name": "Settlement",
        "statement": "The risk that settlement runs fail.",
        "see_also": ["SRR-2017/1"],
    },
    "/api/v1/subrisks/": {
        "area": "SRR-2017/2",
        "statement": "The risk that meters are installed late.",
        "likelihood": 3,
        "impact": 4,
    },
    "/api/v1/factors/": {"area": "SRR-2017/2", "text": "Installer shortages."},
    "/api/v1/mitigations/": {
        "area": "SRR-2017/2",
        "kind": "proposed",
        "status": "agreed",
        "text": "Audit the installers.",
        "subrisks": ["SRR-2017/2.a"],
    },
}


def _strategies_for_a_record(operation, method, path, reference, key):
    """Requests that reach a real record: reads, and writes that pass If-Match."""
    if method == "GET":
        return [operation.as_strategy(path_parameters={"reference": reference})]
    if method not in {"PUT", "PATCH", "DELETE"} or path.count("{") != 1:
        return [operation.as_strategy(path_parameters={"reference": reference})]
    url = path.replace("{reference}", reference)
    etag = Client(headers={"authorization": f"Bearer {key}"}).get(url).get("ETag")
    if etag is None:
        return [operation.as_strategy(path_parameters={"reference": reference})]
    return [
        operation.as_strategy(
            path_parameters={"reference": reference}, headers={"If-Match": etag}
        ),
        operation.as_strategy(
            path_parameters={"reference": reference},
            headers={"If-Match": etag},
            **(
                {"body": {}, "media_type": "application/json"}
                if method == "PATCH"
                else {}
            ),
        ),
    ]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_the_api_keeps_its_schema(
    wsgi_app, key, register_2017, settings_, method, path
):
    schema = schemathesis.openapi.from_dict(SCHEMA)
    schema.app = wsgi_app
    operation = schema[path][method]
    strategies = [
        operation.as_strategy(generation_mode=mode)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    headers = {"Authorization": f"Bearer {key}"}
    for reference in _real_references(path, register_2017):
        strategies += _strategies_for_a_record(operation, method, path, reference, key)
    _keep_the_connection_open()  # again, after the test client's requests
    if method == "POST" and path in VALID_BODIES:
        strategies.append(
            operation.as_strategy(
                body=VALID_BODIES[path], media_type="application/json"
            )
        )

    @given(case=st.one_of(strategies))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        savepoint = transaction.savepoint()
        try:
            response = case.call(headers=headers)
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    response_schema_conformance,
                ],
            )
        finally:
            transaction.savepoint_rollback(savepoint)

    check()


@pytest.fixture
def settings_(settings):
    """No throttling: hundreds of requests in a few seconds are the point here.

    Schemathesis calls the WSGI app as host "localhost".
    """
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": None, "user": None},
    }
    return settings
