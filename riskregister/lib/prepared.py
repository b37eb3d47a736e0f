"""Run chosen hot queries as PostgreSQL prepared statements.

Every API request checks its token and reads the content version. PostgreSQL takes
about 1 ms to plan each of those queries and about 0.1 ms to run them, so a
request spends most of its database time planning. A prepared statement is
planned once per connection and then only executed.

Inside `prepared_statements()`, each query that Django sends to PostgreSQL is
prepared on first use (named after a hash of its SQL) and run with EXECUTE from
then on. The ORM builds the query and reads its rows as usual. On other
databases the context does nothing.

psycopg2, our driver, has no prepared statements of its own; psycopg 3 prepares
repeated queries by itself, and this module goes when we move to it.
"""

import contextlib
import hashlib

from django.conf import settings
from django.db import connections

NAME_PREFIX = "rr_"


def _prepared_names(connection):
    """The statements prepared on the connection's current database session.

    Prepared statements last as long as the session, whatever happens to the
    transactions in it, so the set is kept per raw connection and starts empty
    when Django reconnects.
    """
    raw = connection.connection
    state = getattr(connection, "_rr_prepared", None)
    if state is None or state[0] is not raw:
        state = (raw, set())
        connection._rr_prepared = state
    return state[1]


def _execute_prepared(execute, sql, params, many, context):
    if many:
        return execute(sql, params, many, context)
    connection = context["connection"]
    params = tuple(params or ())
    name = NAME_PREFIX + hashlib.sha256(sql.encode()).hexdigest()[:24]
    names = _prepared_names(connection)
    if name not in names:
        # The driver's own cursor: PREPARE is set-up, not a query to count or log.
        # Formatting the SQL with $1..$n turns the driver's %s placeholders into
        # PostgreSQL's and its escaped %% back into %.
        placeholders = tuple(f"${number}" for number in range(1, len(params) + 1))
        with connection.connection.cursor() as cursor:
            cursor.execute(f"PREPARE {name} AS {sql % placeholders}")
        names.add(name)
    arguments = f" ({', '.join(['%s'] * len(params))})" if params else ""
    return execute(f"EXECUTE {name}{arguments}", params or None, many, context)


@contextlib.contextmanager
def prepared_statements(using="default"):
    """Runs the queries made inside as prepared statements on PostgreSQL.

    Only for queries whose SQL text is the same on every call apart from its
    parameters, and whose parameters are single values: a statement is kept
    for each distinct text for as long as the connection lives.
    """
    connection = connections[using]
    # Limitation: a prepared statement belongs to a server session, so this
    # cannot sit behind a pooler that hands each transaction a different one
    # (PgBouncer's transaction mode); set PREPARED_STATEMENTS=0 there.
    if connection.vendor != "postgresql" or not settings.PREPARED_STATEMENTS:
        yield
        return
    with connection.execute_wrapper(_execute_prepared):
        yield
