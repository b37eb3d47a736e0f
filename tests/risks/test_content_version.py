import threading

import pytest
from django.db import connection, transaction

from risks import content_version
from risks.models import ContentVersion, SubRisk
from risks.rating import rerate_methodology
from tests.factories import RegisterFactory, SubRiskFactory


def _number():
    return content_version.current()[0]


@pytest.mark.django_db
def test_a_change_written_through_the_orm_raises_the_version():
    subrisk = SubRiskFactory()
    before = content_version.current()

    subrisk.statement = "Changed."
    subrisk.save()

    number, changed_at = content_version.current()
    assert number == before[0] + 1
    assert changed_at >= before[1]


@pytest.mark.django_db
def test_a_bulk_rerating_raises_the_version():
    subrisk = SubRiskFactory()
    before = _number()

    # Its history is written with one INSERT ... SELECT, not through the ORM.
    rerate_methodology(
        subrisk.area.register.methodology, reason="Checked", also_record=[subrisk.pk]
    )

    assert subrisk.history.first().history_change_reason == "Checked"
    assert _number() == before + 1


@pytest.mark.django_db
def test_a_read_leaves_the_version():
    SubRiskFactory()
    before = _number()

    list(SubRisk.objects.all())
    SubRisk.objects.filter(pk=0).update(statement="Nothing.")

    assert _number() == before


@pytest.mark.django_db(transaction=True)
def test_a_transaction_raises_the_version_once_when_it_commits():
    register = RegisterFactory()
    before = _number()

    with transaction.atomic():
        for number in range(3):
            SubRiskFactory(area__register=register, area__number=number + 1)
        assert _number() == before

    assert _number() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_the_version():
    register = RegisterFactory()
    before = _number()

    with pytest.raises(RuntimeError), transaction.atomic():
        SubRiskFactory(area__register=register)
        raise RuntimeError

    assert _number() == before


@pytest.mark.django_db(transaction=True)
def test_the_version_row_comes_back_after_a_flush():
    ContentVersion.objects.all().delete()
    assert content_version.current() == (0, None)

    with transaction.atomic():
        SubRiskFactory()

    assert _number() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one transaction write at a time, so they cannot overlap",
)
@pytest.mark.django_db(transaction=True)
def test_a_change_that_commits_after_a_later_one_still_raises_the_version():
    """An import that started first and commits last is not missed.

    Its history is stamped before the other change's, so the newest history
    time would not move when it commits.
    """
    imported, edited = RegisterFactory(), RegisterFactory()
    written, release = threading.Event(), threading.Event()

    def long_import():
        try:
            with transaction.atomic():
                SubRiskFactory(area__register=imported)
                written.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    worker = threading.Thread(target=long_import)
    worker.start()
    try:
        assert written.wait(timeout=10)
        SubRiskFactory(area__register=edited)
        seen = _number()
    finally:
        release.set()
        worker.join()

    assert SubRisk.objects.filter(area__register=imported).exists()
    assert _number() == seen + 1
