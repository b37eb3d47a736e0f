import logging
import sys

import pytest

from riskregister.lib.log_filters import ClientErrorWithoutTraceback

pytestmark = pytest.mark.django_db


def test_a_404_is_one_warning_line_without_traceback(client, caplog):
    with caplog.at_level(logging.INFO):
        client.get("/no-such-page/")

    assert [
        (record.name, record.levelname, record.getMessage(), record.exc_info)
        for record in caplog.records
    ] == [("django.request", "WARNING", "Not Found: /no-such-page/", None)]


def test_djangos_records_are_written_once_by_the_root_handler():
    django_logger = logging.getLogger("django")

    assert (django_logger.handlers, django_logger.propagate) == ([], True)


def _request_record(status_code):
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "msg", (), sys.exc_info()
        )
    record.status_code = status_code
    return record


@pytest.mark.parametrize(
    ("status_code", "keeps_traceback"), [(403, False), (404, False), (500, True)]
)
def test_only_server_errors_keep_their_traceback(status_code, keeps_traceback):
    record = _request_record(status_code)

    assert ClientErrorWithoutTraceback().filter(record) is True
    assert (record.exc_info is not None) == keeps_traceback
