"""The content version: one number raised after every committed content change.

API lists are versioned by it (riskregister.api.conditional). Every change to
register content writes a history row, whatever path it takes: a form, the
API, an import, a bulk re-rating. So every connection watches its own INSERTs
into the history tables, and a transaction that made one raises the version
once it has committed.

Why not the newest history time? A history row is stamped when it is written,
not when its transaction commits. An import that started first and commits last
would add rows older than a change already seen, and a reader would go on
seeing the version it saw before the import: its ETag would still match, and
the body kept under that ETag would be the one without the import.

Raising the number after the commit, rather than inside the transaction, keeps
writers from queueing on the row: a long import would otherwise hold it until
it ended. For a moment after a commit, readers see the new content under the
old version; the raise then retires that version, so nothing is kept under it
for longer than that moment.
"""

import datetime as dt
import functools

from django.apps import apps
from django.db import connections, transaction
from django.utils import timezone

from riskregister.lib.prepared import prepared_statements
from risks.models import ContentVersion

CONTENT_APPS = ("risks", "mitigations")


@functools.cache
def _history_inserts():
    """How an INSERT into each history table starts.

    Django quotes table names with double quotes on PostgreSQL and on SQLite.
    """
    return tuple(
        f'INSERT INTO "{model._meta.db_table}"'
        for app in CONTENT_APPS
        for model in apps.get_app_config(app).get_models()
        if model.__name__.startswith("Historical")
    )


def current(using="default"):
    """The version number and the time it was raised: (0, None) before any."""
    connection = connections[using]
    table = connection.ops.quote_name(ContentVersion._meta.db_table)
    # The table name comes from model metadata; there are no values.
    sql = f"SELECT number, changed_at FROM {table} WHERE id = 1"  # noqa: S608
    with prepared_statements(using), connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is None:
        return 0, None
    number, changed_at = row
    if isinstance(changed_at, str):
        # Raw SQL on SQLite hands back the text it stored.
        changed_at = dt.datetime.fromisoformat(changed_at)
    if changed_at is not None and changed_at.tzinfo is None:
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return number, changed_at


def raise_version(using="default"):
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(ContentVersion._meta.db_table)
    # One statement, so that it needs no transaction of its own: it may run
    # while the INSERT that asked for it is still being read. It puts the row
    # back if it has gone (a test's flush, or by hand). The table name comes
    # from model metadata; the time is a parameter.
    sql = (
        f"INSERT INTO {table} (id, number, changed_at) VALUES (1, 1, %s) "  # noqa: S608
        f"ON CONFLICT (id) DO UPDATE SET number = {table}.number + 1, "
        "changed_at = excluded.changed_at"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connection.ops.adapt_datetimefield_value(timezone.now())])


@functools.cache
def _raiser(using):
    # One function per database, so a transaction can tell it asked already.
    return functools.partial(raise_version, using)


def _after_commit(connection):
    """Raises the version once the connection's transaction has committed."""
    if not connection.in_atomic_block:
        raise_version(connection.alias)
        return
    raiser = _raiser(connection.alias)
    if any(func is raiser for _, func, _ in connection.run_on_commit):
        return
    # Limitation: were the process to die between the commit and the raise,
    # the version would stay until the next change; the change itself is kept.
    # A failed raise is logged, not raised: the user's change has committed.
    transaction.on_commit(raiser, using=connection.alias, robust=True)


def watch_history_writes(execute, sql, params, many, context):
    """A database execute wrapper that notes INSERTs into history tables."""
    result = execute(sql, params, many, context)
    connection = context["connection"]
    if sql.startswith(_history_inserts()):
        _after_commit(connection)
    return result


def install(connection, **kwargs):
    """Connected to `connection_created`: every connection watches its writes."""
    if watch_history_writes not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, watch_history_writes)
