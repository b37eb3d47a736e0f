import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from mitigations.models import Mitigation
from risks.models import Lesson, RiskFactor, SubRisk
from risks.services import record_archive, record_restore
from tests.factories import (
    LessonFactory,
    LessonSourceFactory,
    MitigationFactory,
    RiskFactorFactory,
    SubRiskFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def archived(area, editor):
    """One archived record of every kind, in a live area."""
    records = {
        "subrisk": SubRiskFactory(area=area),
        "factor": RiskFactorFactory(area=area),
        "mitigation": MitigationFactory(area=area),
        "lesson": LessonFactory(
            source=LessonSourceFactory(register=area.register, key="AM"), number=3
        ),
    }
    for record in records.values():
        record_archive(instance=record, user=editor)
    return records


RESTORE_URLS = {
    "subrisk": "/registers/TEST-1/areas/2/subrisks/a/restore/",
    "factor": "/registers/TEST-1/areas/2/factors/F1/restore/",
    "mitigation": "/registers/TEST-1/areas/2/mitigations/M1/restore/",
    "lesson": "/registers/TEST-1/lessons/AM/3/restore/",
}
MODELS = {
    "subrisk": SubRisk,
    "factor": RiskFactor,
    "mitigation": Mitigation,
    "lesson": Lesson,
}


def test_restore_urls_are_named_per_kind():
    assert reverse("risks:area-restore", args=["TEST-1", 2]) == (
        "/registers/TEST-1/areas/2/restore/"
    )
    assert (
        reverse("risks:subrisk-restore", args=["TEST-1", 2, "a"])
        == (RESTORE_URLS["subrisk"])
    )
    assert (
        reverse("risks:factor-restore", args=["TEST-1", 2, "F1"])
        == (RESTORE_URLS["factor"])
    )
    assert (
        reverse("risks:mitigation-restore", args=["TEST-1", 2, "M1"])
        == (RESTORE_URLS["mitigation"])
    )
    assert (
        reverse("risks:lesson-restore", args=["TEST-1", "AM", 3])
        == (RESTORE_URLS["lesson"])
    )


def test_service_refuses_a_subrisk_of_an_archived_area(area, editor):
    subrisk = SubRiskFactory(area=area)
    record_archive(instance=subrisk, user=editor)
    record_archive(instance=area, user=editor)

    with pytest.raises(ValidationError) as error:
        record_restore(instance=subrisk, user=editor)

    assert error.value.message_dict == {
        "area": [
            "TEST-1/2.a belongs to risk area 2, which is archived; restore the "
            "area first."
        ]
    }
    subrisk.refresh_from_db()
    assert subrisk.is_archived


@pytest.mark.parametrize("kind", ["subrisk", "factor", "mitigation", "lesson"])
def test_editor_restores_each_kind_and_history_names_them(
    editor_client, editor, archived, kind
):
    record = archived[kind]
    record.refresh_from_db()

    response = editor_client.post(
        RESTORE_URLS[kind], {"revision": record.revision}, follow=True
    )

    assert response.redirect_chain == [("/registers/TEST-1/archived/", 302)]
    record.refresh_from_db()
    assert record.archived_at is None
    assert record.revision == 3
    newest = record.history.order_by("-history_id").first()
    assert (newest.history_user, newest.prev_record.archived_at is not None) == (
        editor,
        True,
    )
    html = response.content.decode()
    assert "is restored and back in the register." in html
    assert RESTORE_URLS[kind] not in html


def test_editor_restores_an_area(editor_client, editor, area):
    record_archive(instance=area, user=editor)

    response = editor_client.post("/registers/TEST-1/areas/2/restore/")

    assert response.status_code == 302
    assert response.url == "/registers/TEST-1/archived/"
    area.refresh_from_db()
    assert area.archived_at is None


def test_restoring_a_subrisk_of_an_archived_area_is_refused(
    editor_client, editor, area, archived
):
    record_archive(instance=area, user=editor)

    response = editor_client.post(RESTORE_URLS["subrisk"])

    assert response.status_code == 409
    html = response.content.decode()
    assert "Sub-risk 2.a was not restored" in html
    assert (
        "TEST-1/2.a belongs to risk area 2, which is archived; restore the area first."
    ) in html
    assert SubRisk.objects.get(pk=archived["subrisk"].pk).is_archived


def test_restoring_from_a_stale_list_is_refused(editor_client, editor, archived):
    subrisk = archived["subrisk"]
    record_restore(instance=subrisk, user=editor)
    record_archive(instance=subrisk, user=editor)

    response = editor_client.post(RESTORE_URLS["subrisk"], {"revision": 2})

    assert response.status_code == 409
    assert (
        "Sub-risk 2.a has been changed by someone else since you opened the list."
    ) in response.content.decode()
    assert SubRisk.objects.get(pk=subrisk.pk).is_archived


@pytest.mark.parametrize(
    ("revision", "message"),
    [
        ("two", "Revision must be a whole number; reload the archived list."),
        ("0", "Revision must be 1 or more; reload the archived list."),
    ],
)
def test_bad_revision_is_refused_naming_the_field(
    editor_client, archived, revision, message
):
    response = editor_client.post(RESTORE_URLS["factor"], {"revision": revision})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert RiskFactor.objects.get(pk=archived["factor"].pk).is_archived


def test_restoring_a_live_record_changes_nothing(editor_client, area):
    factor = RiskFactorFactory(area=area)

    response = editor_client.post(RESTORE_URLS["factor"], follow=True)

    assert response.status_code == 200
    assert "Risk factor 2/F1 was not archived; nothing changed." in (
        response.content.decode()
    )
    factor.refresh_from_db()
    assert (factor.revision, factor.history.count()) == (1, 1)


@pytest.mark.parametrize(
    "url",
    [
        "/registers/TEST-1/areas/2/subrisks/z/restore/",
        "/registers/TEST-1/areas/9/factors/F1/restore/",
        "/registers/TEST-1/areas/9/restore/",
        "/registers/TEST-1/lessons/XX/3/restore/",
        "/registers/NOPE/areas/2/mitigations/M1/restore/",
    ],
)
def test_restoring_an_unknown_record_is_not_found(editor_client, archived, url):
    assert editor_client.post(url).status_code == 404


@pytest.mark.parametrize("kind", ["subrisk", "factor", "mitigation", "lesson"])
def test_viewer_and_outsider_may_not_restore(client, viewer, outsider, archived, kind):
    for user in (viewer, outsider):
        client.force_login(user)

        response = client.post(RESTORE_URLS[kind])

        assert response.status_code == 403
    assert MODELS[kind].objects.get(pk=archived[kind].pk).is_archived


def test_anonymous_restore_is_sent_to_log_in(client, archived):
    response = client.post(RESTORE_URLS["lesson"])

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={RESTORE_URLS['lesson']}"
    assert Lesson.objects.get(pk=archived["lesson"].pk).is_archived


def test_restore_is_post_only(editor_client, archived):
    assert editor_client.get(RESTORE_URLS["subrisk"]).status_code == 405


def test_restore_needs_the_csrf_token(area, editor, archived):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)

    response = client.post(RESTORE_URLS["subrisk"])

    assert response.status_code == 403
    assert SubRisk.objects.get(pk=archived["subrisk"].pk).is_archived
