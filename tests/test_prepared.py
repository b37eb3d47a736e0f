import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from riskregister.lib.prepared import prepared_statements
from tests.factories import SubRiskFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="prepares only on PostgreSQL"
    ),
]

QUERY = "SELECT reference FROM risks_subrisk WHERE statement = %s"


def _references(value):
    with prepared_statements(), connection.cursor() as cursor:
        cursor.execute(QUERY, [value])
        return sorted(row[0] for row in cursor.fetchall())


def _prepared_statements():
    """The session's prepared statements of QUERY (other tests prepare others)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM risks_subrisk WHERE statement%"],
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_query_is_prepared_once_and_then_executed(settings):
    settings.PREPARED_STATEMENTS = True
    four = SubRiskFactory(statement="Four.")
    two = SubRiskFactory(statement="Two.")

    with CaptureQueriesContext(connection) as queries:
        found = [_references("Four."), _references("Two.")]

    assert found == [[four.reference], [two.reference]]
    name = queries[0]["sql"].split()[1]
    assert name.startswith("rr_")
    assert [query["sql"] for query in queries] == [
        f"EXECUTE {name} ('Four.')",
        f"EXECUTE {name} ('Two.')",
    ]
    assert _prepared_statements() == [f"PREPARE {name} AS {QUERY.replace('%s', '$1')}"]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(settings):
    settings.PREPARED_STATEMENTS = True
    subrisk = SubRiskFactory(statement="Three.")
    assert _references("Three.") == [subrisk.reference]

    # The new server session starts with no prepared statements.
    connection.close()

    assert _references("Three.") == [subrisk.reference]
    assert len(_prepared_statements()) == 1


def test_the_setting_turns_preparing_off(settings):
    settings.PREPARED_STATEMENTS = False

    with CaptureQueriesContext(connection) as queries:
        _references("One.")

    assert queries[0]["sql"].startswith("SELECT reference")
