import re

import pytest

from risks.document import methodology_to_document
from risks.methodology import MethodologyChange, methodology_apply
from risks.services import record_archive, record_update
from tests.factories import (
    LessonFactory,
    LessonSourceFactory,
    MitigationFactory,
    RegisterFactory,
    RiskAreaFactory,
    RiskFactorFactory,
    SubRiskFactory,
)
from tests.history.conftest import date_history, likelihood, london
from tests.pages.conftest import squash

pytestmark = pytest.mark.django_db

AREA_HISTORY = "/registers/TEST-1/areas/2/history/"
SUBRISK_HISTORY = "/registers/TEST-1/areas/2/subrisks/a/history/"
CHANGES = "/registers/TEST-1/changes/"
ARCHIVED = "/registers/TEST-1/archived/"
PAGES = [AREA_HISTORY, SUBRISK_HISTORY, CHANGES, ARCHIVED]


@pytest.fixture
def subrisk(area):
    return SubRiskFactory(
        area=area, likelihood_value=2, impact_value=4, statement="Errors at install."
    )


@pytest.fixture
def edited(subrisk, editor):
    """The sub-risk's likelihood raised by the editor on 24 May 2017 at 14:05."""
    record_update(
        instance=subrisk,
        user=editor,
        revision=subrisk.revision,
        fields={"likelihood": likelihood(subrisk.area.register, 4)},
    )
    date_history(subrisk, london(2017, 5, 24, 10, 0), london(2017, 5, 24, 14, 5))
    return subrisk


def entries_html(html):
    return re.findall(r'<li class="change[ "].*?</li>', html, re.DOTALL)


def test_pages_send_anonymous_visitors_to_log_in(client, subrisk):
    for url in PAGES:
        response = client.get(url)

        assert response.status_code == 302, url
        assert response.url == f"/accounts/login/?next={url}", url


def test_pages_refuse_a_user_without_a_role(outsider_client, subrisk):
    for url in PAGES:
        response = outsider_client.get(url)

        assert response.status_code == 403, url
        assert "You cannot view this page" in response.content.decode()


def test_pages_render_for_a_viewer_with_their_nav_entry(viewer_client, subrisk):
    current = {
        CHANGES: '<a href="/registers/TEST-1/changes/" aria-current="page">'
        "Recent changes</a>",
        ARCHIVED: '<a href="/registers/TEST-1/archived/" aria-current="page">'
        "Archived</a>",
    }
    for url in PAGES:
        response = viewer_client.get(url)

        html = response.content.decode()
        assert response.status_code == 200, url
        assert '<a href="/registers/TEST-1/changes/"' in html
        assert '<a href="/registers/TEST-1/archived/"' in html
        if url in current:
            assert current[url] in html


@pytest.mark.parametrize(
    "url",
    [
        "/registers/NOPE/areas/2/history/",
        "/registers/TEST-1/areas/3/history/",
        "/registers/TEST-1/areas/2/subrisks/z/history/",
        "/registers/TEST-1/areas/3/subrisks/a/history/",
        "/registers/NOPE/changes/",
        "/registers/NOPE/archived/",
    ],
)
def test_unknown_register_area_or_subrisk_is_not_found(viewer_client, subrisk, url):
    assert viewer_client.get(url).status_code == 404


def test_area_page_links_to_the_histories(viewer_client, subrisk):
    html = viewer_client.get("/registers/TEST-1/areas/2/").content.decode()

    assert f'<a href="{AREA_HISTORY}">History of this area</a>' in html
    assert (
        f'<a href="{SUBRISK_HISTORY}">History<span class="visually-hidden"> of '
        "sub-risk 2.a</span></a>"
    ) in html


def test_subrisk_history_shows_who_when_and_the_rating_change(viewer_client, edited):
    html = viewer_client.get(SUBRISK_HISTORY).content.decode()

    assert "<h1>History of sub-risk 2.a</h1>" in html
    assert squash(
        re.search(r'<p class="history-current">.*?</p>', html, re.DOTALL).group()
    ) == ("Rating now: High")
    newest, created = entries_html(html)
    assert 'class="change change--changed change--rating"' in newest
    assert squash(newest) == (
        "Changed Sub-risk 2.a Errors at install. 24 May 2017, 14:05 by editor "
        "Rating raised: Medium → to High "
        "Likelihood ‘Low’ → changed to ‘High’"
    )
    assert '<time datetime="2017-05-24T14:05:00+01:00">' in newest
    assert (
        '<span class="badge" style="background-color: #f2c200; color: #000000;">'
        "Medium</span>"
    ) in newest
    assert (
        '<span class="badge" style="background-color: #e8710a; color: #000000;">'
        "High</span>"
    ) in newest
    assert squash(created).startswith("Created Sub-risk 2.a Errors at install.")
    assert squash(created).endswith("by no user recorded Rated Medium")


def test_area_history_labels_each_record_and_shows_matrix_reasons(
    viewer_client, area, edited, editor, methodology_admin
):
    RiskFactorFactory(area=area, text="A factor.")
    mitigation = MitigationFactory(area=area, text="A control.")
    record_archive(instance=mitigation, user=editor)
    change = MethodologyChange.from_document(
        methodology_to_document(area.register.methodology), reason="Stricter"
    )
    change.matrix[4, 4] = "Very High"
    methodology_apply(
        methodology=area.register.methodology, change=change, user=methodology_admin
    )

    html = viewer_client.get(AREA_HISTORY).content.decode()

    assert "<h1>History of Installation</h1>" in html
    heads = [
        squash(head)
        for head in re.findall(r'<p class="change__head">(.*?)</p>', html, re.DOTALL)
    ]
    assert heads == [
        "Changed Sub-risk 2.a Errors at install.",
        "Archived Mitigation 2/M1 A control.",
        "Created Mitigation 2/M1 A control.",
        "Created Risk factor 2/F1 A factor.",
        "Created Risk area 2 Installation",
        "Changed Sub-risk 2.a Errors at install.",
        "Created Sub-risk 2.a Errors at install.",
    ]
    matrix_entry = entries_html(html)[0]
    assert "Reason: Methodology version 2: Stricter" in matrix_entry
    assert "by methodology-admin" in squash(matrix_entry)
    assert "Rating raised:" in matrix_entry


def test_history_of_an_archived_area_stays_readable(viewer_client, area, editor):
    record_archive(instance=area, user=editor)

    html = viewer_client.get(AREA_HISTORY).content.decode()

    assert "<li>Risk area 2 (archived)</li>" in html
    assert squash(entries_html(html)[0]).startswith("Archived Risk area 2")


def test_typed_text_is_escaped_in_the_diff(viewer_client, subrisk, editor):
    record_update(
        instance=subrisk,
        user=editor,
        revision=subrisk.revision,
        fields={"statement": "<script>alert(1)</script>"},
    )

    html = viewer_client.get(SUBRISK_HISTORY).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert '<div class="diff__body">&lt;script&gt;alert(1)&lt;/script&gt;</div>' in (
        html
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("page=two", "Page must be a whole number, such as 2."),
        ("page=0", "Page must be 1 or more."),
    ],
)
def test_bad_page_is_refused_with_a_message(viewer_client, subrisk, query, message):
    for url in (AREA_HISTORY, SUBRISK_HISTORY, CHANGES):
        response = viewer_client.get(f"{url}?{query}")

        assert response.status_code == 400, url
        assert f"<li>{message}</li>" in response.content.decode()


def test_page_beyond_the_last_is_not_found(viewer_client, subrisk):
    for url in (AREA_HISTORY, SUBRISK_HISTORY, CHANGES):
        assert viewer_client.get(f"{url}?page=3").status_code == 404


def test_long_histories_are_paged_newest_first(viewer_client, subrisk, editor):
    for value in [1, 2, 3, 4, 5] * 11:
        subrisk = record_update(
            instance=subrisk,
            user=editor,
            revision=subrisk.revision,
            fields={"likelihood": likelihood(subrisk.area.register, value)},
        )

    first = viewer_client.get(SUBRISK_HISTORY).content.decode()
    second = viewer_client.get(f"{SUBRISK_HISTORY}?page=2").content.decode()

    assert len(entries_html(first)) == 50
    assert len(entries_html(second)) == 6
    assert "Page 1 of 2 (56 changes)" in first
    assert '<a class="pager__link pager__link--next" rel="next" href="?page=2">' in (
        first
    )
    assert squash(entries_html(second)[-1]).startswith("Created Sub-risk 2.a")


def test_change_list_filters_by_user_area_and_dates(
    viewer_client, area, editor, second_editor
):
    other = RiskAreaFactory(register=area.register, number=3, name="Comms")
    mine = SubRiskFactory(area=area)
    theirs = SubRiskFactory(area=other)
    record_archive(instance=mine, user=editor)
    date_history(mine, london(2017, 5, 24, 14, 5))
    record_archive(instance=theirs, user=second_editor)
    date_history(theirs, london(2017, 4, 25, 9, 0))

    by_user = viewer_client.get(f"{CHANGES}?user=second-editor").content.decode()
    by_area = viewer_client.get(f"{CHANGES}?area=2&until=2017-05-24").content
    by_dates = viewer_client.get(
        f"{CHANGES}?since=2017-04-25&until=2017-04-25"
    ).content.decode()

    assert [squash(e)[:40] for e in entries_html(by_user)] == [
        "Archived Sub-risk 3.a The risk that thin"
    ]
    assert "Showing 1 change matching the filters." in by_user
    assert '<option value="second-editor" selected>second-editor</option>' in by_user
    assert [squash(e)[:22] for e in entries_html(by_area.decode())] == [
        "Archived Sub-risk 2.a "
    ]
    assert [squash(e)[:22] for e in entries_html(by_dates)] == [
        "Archived Sub-risk 3.a "
    ]
    assert '<option value="3">3. Comms</option>' in by_user


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("user=nobody", "Changed by: unknown user &#x27;nobody&#x27;."),
        ("area=9", "Risk area: unknown area &#x27;9&#x27;."),
        ("area=two", "Risk area: unknown area &#x27;two&#x27;."),
        ("since=24/13/2017", "From must be a date such as 2017-05-24."),
        ("until=yesterday", "To must be a date such as 2017-05-24."),
        ("since=2017-05-25&until=2017-05-24", "To must be on or after From."),
        ("page=-1", "Page must be 1 or more."),
    ],
)
def test_change_list_refuses_bad_filters_naming_the_field(
    viewer_client, area, editor, query, message
):
    record_archive(instance=SubRiskFactory(area=area), user=editor)

    response = viewer_client.get(f"{CHANGES}?{query}")

    html = response.content.decode()
    assert response.status_code == 400
    assert f'<p class="field__error">{message}</p>' in html or (
        f"<li>{message}</li>" in html
    )
    assert "The filters could not be applied" in html
    assert entries_html(html) == []


def test_change_list_keeps_other_registers_out(viewer_client, area, editor):
    other = RiskAreaFactory(register=RegisterFactory(reference="OTHER"), number=2)
    record_archive(instance=other, user=editor)

    html = viewer_client.get(CHANGES).content.decode()

    assert [squash(e)[:20] for e in entries_html(html)] == ["Created Risk area 2 "]
    assert '<option value="editor">' not in html


def test_change_list_page_runs_a_fixed_number_of_queries(
    viewer_client, register, editor, django_assert_max_num_queries
):
    def make_changes(count):
        area = RiskAreaFactory(register=register)
        for _ in range(count):
            subrisk = SubRiskFactory(area=area)
            mitigation = MitigationFactory(area=area)
            record_update(
                instance=mitigation,
                user=editor,
                revision=mitigation.revision,
                fields={"owner": "DCC"},
                m2m={"subrisks": [subrisk]},
            )
            lesson = LessonFactory(source=LessonSourceFactory(register=register))
            for record in (subrisk, RiskFactorFactory(area=area), lesson):
                record_archive(instance=record, user=editor)
            record_update(
                instance=subrisk,
                user=editor,
                revision=subrisk.revision + 1,
                fields={"likelihood": likelihood(register, 5)},
            )

    make_changes(1)
    with django_assert_max_num_queries(20):
        few = viewer_client.get(f"{CHANGES}?user=editor&since=2017-05-24")
    make_changes(10)
    with django_assert_max_num_queries(20):
        many = viewer_client.get(CHANGES)

    assert few.status_code == many.status_code == 200
    assert len(entries_html(many.content.decode())) == 50


def test_archived_list_offers_restore_only_to_editors(
    client, viewer, editor, area, subrisk
):
    lesson = LessonFactory(
        source=LessonSourceFactory(register=area.register, key="AM"), number=3
    )
    record_archive(instance=subrisk, user=editor)
    record_archive(instance=lesson, user=editor)

    client.force_login(viewer)
    as_viewer = client.get(ARCHIVED).content.decode()
    client.force_login(editor)
    as_editor = client.get(ARCHIVED).content.decode()

    row = re.search(r'<tr id="archived-subrisk-1">.*?</tr>', as_editor, re.DOTALL)
    assert re.fullmatch(
        r"Sub-risk 2\.a Errors at install\. \d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d "
        r"editor Restore Sub-risk 2\.a",
        squash(row.group()),
    )
    assert "Editors can restore them." in as_viewer
    assert '<form method="post"' not in as_viewer.split("<main")[1]
    assert (
        '<form method="post" action="/registers/TEST-1/areas/2/subrisks/a/restore/"'
    ) in as_editor
    assert '<input type="hidden" name="revision" value="2">' in as_editor
    assert (
        '<form method="post" action="/registers/TEST-1/lessons/AM/3/restore/"'
    ) in as_editor
    assert "No archived risk areas." in as_editor
    assert "<caption>Archived sub-risks (1)</caption>" in as_editor


def test_archived_list_says_when_the_area_must_come_back_first(
    editor_client, editor, area, subrisk
):
    record_archive(instance=subrisk, user=editor)
    record_archive(instance=area, user=editor)

    html = editor_client.get(ARCHIVED).content.decode()

    assert "Restore risk area 2 first." in html
    assert "/registers/TEST-1/areas/2/subrisks/a/restore/" not in html
    assert '<form method="post" action="/registers/TEST-1/areas/2/restore/"' in html


def test_empty_archive_says_so(viewer_client, area):
    html = viewer_client.get(ARCHIVED).content.decode()

    assert "Nothing in this register is archived." in html


def test_archived_list_runs_a_fixed_number_of_queries(
    editor_client, register, editor, django_assert_max_num_queries
):
    def archive_some(count):
        area = RiskAreaFactory(register=register)
        source = LessonSourceFactory(register=register)
        for _ in range(count):
            for record in (
                SubRiskFactory(area=area),
                RiskFactorFactory(area=area),
                MitigationFactory(area=area),
                LessonFactory(source=source),
            ):
                record_archive(instance=record, user=editor)
        record_archive(instance=RiskAreaFactory(register=register), user=editor)

    archive_some(1)
    with django_assert_max_num_queries(17):
        editor_client.get(ARCHIVED)
    archive_some(8)
    with django_assert_max_num_queries(17):
        response = editor_client.get(ARCHIVED)

    assert response.content.decode().count("Restore<span") == 38


def test_area_and_subrisk_histories_run_a_fixed_number_of_queries(
    viewer_client, area, subrisk, editor, django_assert_max_num_queries
):
    def make_changes(count):
        nonlocal subrisk
        for value in [1, 5] * count:
            subrisk = record_update(
                instance=subrisk,
                user=editor,
                revision=subrisk.revision,
                fields={"likelihood": likelihood(area.register, value)},
            )
            mitigation = MitigationFactory(area=area)
            record_update(
                instance=mitigation,
                user=editor,
                revision=mitigation.revision,
                fields={"owner": "DCC"},
                m2m={"subrisks": [subrisk]},
            )
            record_archive(instance=RiskFactorFactory(area=area), user=editor)

    make_changes(1)
    with django_assert_max_num_queries(18):
        viewer_client.get(AREA_HISTORY)
    with django_assert_max_num_queries(13):
        viewer_client.get(SUBRISK_HISTORY)
    make_changes(10)
    with django_assert_max_num_queries(18):
        area_page = viewer_client.get(AREA_HISTORY)
    with django_assert_max_num_queries(13):
        subrisk_page = viewer_client.get(SUBRISK_HISTORY)

    assert len(entries_html(area_page.content.decode())) == 50
    assert len(entries_html(subrisk_page.content.decode())) == 23
