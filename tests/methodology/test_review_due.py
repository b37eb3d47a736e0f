import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from risks.models import SubRisk
from risks.services import StaleRevisionError, subrisk_mark_reviewed
from tests.factories import RegisterFactory, RiskAreaFactory, SubRiskFactory
from tests.pages.conftest import squash, table_row

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)
DUE = '<span class="badge badge--due">Review due</span>'


@pytest.fixture
def frozen_today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return TODAY


@pytest.fixture
def register(db):
    """TEST-1 where High is reviewed every 30 days and Medium every 90."""
    register = RegisterFactory(reference="TEST-1")
    levels = register.methodology.rating_levels
    levels.filter(name="High").update(review_interval_days=30)
    levels.filter(name="Medium").update(review_interval_days=90)
    return register


def subrisk(register, likelihood, impact, *, reviewed_on=None, created=None, area=1):
    area, _ = register.areas.get_or_create(
        number=area,
        defaults={"name": f"Area {area}", "statement": "The risk that it fails."},
    )
    record = SubRiskFactory(
        area=area,
        likelihood_value=likelihood,
        impact_value=impact,
        reviewed_on=reviewed_on,
    )
    if created:
        SubRisk.objects.filter(pk=record.pk).update(
            created_at=dt.datetime.combine(created, dt.time(12), tzinfo=dt.UTC)
        )
    return record


def due_references(today=TODAY):
    return sorted(
        SubRisk.objects.with_review_due(today=today)
        .filter(review_due=True)
        .values_list("reference", flat=True)
    )


def test_review_falls_due_after_the_ratings_interval(register):
    # High (3 x 4), every 30 days.
    subrisk(register, 3, 4, reviewed_on=TODAY - dt.timedelta(days=31))
    subrisk(register, 3, 4, reviewed_on=TODAY - dt.timedelta(days=30))
    # Medium (3 x 3), every 90 days, never reviewed: counted from its creation.
    subrisk(register, 3, 3, created=TODAY - dt.timedelta(days=91))
    subrisk(register, 3, 3, created=TODAY - dt.timedelta(days=20))
    # Low has no interval: never due.
    subrisk(register, 1, 1, created=TODAY - dt.timedelta(days=4000))

    rows = SubRisk.objects.with_review_due(today=TODAY).order_by("key")

    assert [
        (row.key, row.rating.name, row.review_due_on, row.review_due) for row in rows
    ] == [
        ("a", "High", TODAY - dt.timedelta(days=1), True),
        ("b", "High", TODAY, False),
        ("c", "Medium", TODAY - dt.timedelta(days=1), True),
        ("d", "Medium", TODAY + dt.timedelta(days=70), False),
        ("e", "Low", None, False),
    ]


def test_marking_reviewed_records_today_with_history(register, editor, frozen_today):
    record = subrisk(register, 3, 4, reviewed_on=TODAY - dt.timedelta(days=40))

    saved = subrisk_mark_reviewed(subrisk=record, user=editor, revision=1)

    assert (saved.reviewed_on, saved.revision) == (TODAY, 2)
    entry = saved.history.first()
    assert (entry.history_user, entry.history_change_reason) == (
        editor,
        "Marked reviewed",
    )
    assert due_references() == []


def test_marking_reviewed_refuses_a_stale_revision(register, editor):
    record = subrisk(register, 3, 4)

    with pytest.raises(StaleRevisionError):
        subrisk_mark_reviewed(subrisk=record, user=editor, revision=7)

    record.refresh_from_db()
    assert record.reviewed_on is None


# ---- Overview -------------------------------------------------------------------


@pytest.fixture
def mixed(register, frozen_today):
    subrisk(register, 3, 4, reviewed_on=TODAY - dt.timedelta(days=31))
    subrisk(register, 3, 4, reviewed_on=TODAY)
    subrisk(register, 3, 3, created=TODAY - dt.timedelta(days=100), area=2)
    subrisk(register, 1, 1, created=TODAY - dt.timedelta(days=4000), area=2)
    return register


def overview(client, register, **params):
    return client.get(
        reverse("risks:register-detail", args=[register.reference]), params
    )


def test_overview_marks_due_rows_with_a_text_badge(viewer_client, mixed):
    html = overview(viewer_client, mixed).content.decode()

    assert [
        DUE in table_row(html, row) for row in ("row-1-a", "row-1-b", "row-2-a")
    ] == [True, False, True]
    assert squash(table_row(html, "row-2-b")).endswith("Low")


def test_overview_filters_to_due_reviews(
    viewer_client, mixed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = overview(viewer_client, mixed, review="due")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<tr id="row-([^"]+)"', html) == ["1-a", "2-a"]
    assert '<option value="due" selected>Review due</option>' in html


def test_overview_query_count_does_not_grow_with_due_reviews(
    viewer_client, mixed, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12) as few:
        overview(viewer_client, mixed, review="due")
    for _ in range(15):
        subrisk(mixed, 4, 4, reviewed_on=TODAY - dt.timedelta(days=60), area=3)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = overview(viewer_client, mixed, review="due")

    assert len(re.findall(r'<tr id="row-', response.content.decode())) == 17


def test_overview_refuses_an_unknown_review_filter(viewer_client, mixed):
    response = overview(viewer_client, mixed, review="soon")

    assert response.status_code == 400
    assert "Unknown review state &#x27;soon&#x27;." in response.content.decode()


# ---- Area page -------------------------------------------------------------------


def area_url(register, number=1):
    return reverse("risks:area-detail", args=[register.reference, number])


def review_url(record):
    return reverse(
        "risks:subrisk-review",
        args=[record.area.register.reference, record.area.number, record.key],
    )


def test_area_page_shows_review_state_and_editors_get_the_button(
    viewer_client, editor, mixed
):
    editor_client = Client()
    editor_client.force_login(editor)

    viewer_html = viewer_client.get(area_url(mixed)).content.decode()
    editor_html = editor_client.get(area_url(mixed)).content.decode()

    due_row = squash(table_row(viewer_html, "subrisk-a"))
    assert DUE in table_row(viewer_html, "subrisk-a")
    assert "Review due Reviewed 2 November 2026" in due_row
    assert "High Reviewed 3 December 2026 Next review by 2 January 2027" in squash(
        table_row(viewer_html, "subrisk-b")
    )
    assert "Mark reviewed" not in viewer_html
    assert editor_html.count("Mark reviewed<span") == 2
    assert 'action="/registers/TEST-1/areas/1/subrisks/a/review/"' in editor_html


def test_an_editor_marks_a_subrisk_reviewed(client, editor, mixed):
    client.force_login(editor)
    record = SubRisk.objects.get(reference="TEST-1/1.a")

    response = client.post(review_url(record), {"revision": record.revision})

    record.refresh_from_db()
    assert response.status_code == 302
    assert response.url == "/registers/TEST-1/areas/1/#subrisk-a"
    assert record.reviewed_on == TODAY
    assert record.history.first().history_user == editor
    html = client.get(area_url(mixed)).content.decode()
    assert DUE not in table_row(html, "subrisk-a")
    assert "Sub-risk 1.a marked as reviewed on 3 December 2026." in html


@pytest.mark.parametrize("persona", ["viewer", "methodology_admin", "outsider"])
def test_only_editors_may_mark_reviewed(client, request, persona, mixed):
    client.force_login(request.getfixturevalue(persona))
    record = SubRisk.objects.get(reference="TEST-1/1.a")

    response = client.post(review_url(record), {"revision": record.revision})

    record.refresh_from_db()
    assert response.status_code == 403
    assert record.reviewed_on == TODAY - dt.timedelta(days=31)


def test_marking_reviewed_is_post_only(client, editor, mixed):
    client.force_login(editor)

    response = client.get(review_url(SubRisk.objects.get(reference="TEST-1/1.a")))

    assert response.status_code == 405


def test_marking_reviewed_with_a_stale_revision_saves_nothing(client, editor, mixed):
    client.force_login(editor)
    record = SubRisk.objects.get(reference="TEST-1/1.a")

    response = client.post(review_url(record), {"revision": record.revision + 1})

    record.refresh_from_db()
    assert response.status_code == 409
    assert "was changed by someone else since you opened the page" in (
        response.content.decode()
    )
    assert record.reviewed_on == TODAY - dt.timedelta(days=31)


@pytest.mark.parametrize("revision", ["", "two"])
def test_marking_reviewed_without_a_revision_is_refused(
    client, editor, mixed, revision
):
    client.force_login(editor)
    record = SubRisk.objects.get(reference="TEST-1/1.a")

    response = client.post(review_url(record), {"revision": revision})

    assert response.status_code == 400
    assert "Revision: the form did not say which version" in (response.content.decode())


def test_marking_an_unknown_or_archived_subrisk_is_not_found(client, editor, mixed):
    client.force_login(editor)
    SubRisk.objects.filter(reference="TEST-1/1.b").update(archived_at=timezone.now())

    for url in (
        "/registers/TEST-1/areas/1/subrisks/z/review/",
        "/registers/TEST-1/areas/1/subrisks/b/review/",
        "/registers/NOPE/areas/1/subrisks/a/review/",
    ):
        assert client.post(url, {"revision": 1}).status_code == 404


def test_a_new_area_has_no_review_due(viewer_client, register):
    RiskAreaFactory(register=register, number=5)

    response = viewer_client.get(area_url(register, 5))

    assert response.status_code == 200
    assert DUE not in response.content.decode()
