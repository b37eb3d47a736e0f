import pytest
from django.db import connection


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_writers_wait_for_each_other_instead_of_failing():
    # A transaction that read before writing could not take the write lock from
    # another writer, and failed with "database is locked" (a 500); beginning
    # IMMEDIATE takes the lock first, and a second writer waits its turn.
    options = connection.settings_dict["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
