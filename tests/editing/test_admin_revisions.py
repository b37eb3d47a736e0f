import pytest
from django.test import Client
from rest_framework import status

from risks.models import ApiToken, SubRisk
from risks.tokens import api_token_issue
from tests.editing.conftest import form_data
from tests.factories import SubRiskFactory

pytestmark = pytest.mark.django_db


def change_form_data(admin_client, url):
    """What a browser would post back, unchanged, from the admin's change form."""
    response = admin_client.get(url)
    form_id = f"{response.context['opts'].model_name}_form"
    return form_data(response, form_id)


@pytest.fixture
def subrisk():
    return SubRiskFactory(statement="As imported.")


@pytest.fixture
def url(subrisk):
    return f"/admin/risks/subrisk/{subrisk.pk}/change/"


def test_an_admin_edit_raises_the_revision_so_older_writes_are_refused(
    admin_client, admin_user, editor, subrisk, url
):
    data = change_form_data(admin_client, url)
    data["statement"] = ["Edited in the admin."]

    response = admin_client.post(url, data)

    assert response.status_code == status.HTTP_302_FOUND
    subrisk.refresh_from_db()
    assert (subrisk.statement, subrisk.revision) == ("Edited in the admin.", 2)
    latest = subrisk.history.first()
    assert (latest.revision, latest.history_user) == (2, admin_user)
    key = api_token_issue(
        ApiToken(user=editor, name="Late", scope=ApiToken.Scope.READ_WRITE)
    )
    late = Client(headers={"authorization": f"Bearer {key}"}).patch(
        f"/api/v1/subrisks/{subrisk.reference}/",
        {"statement": "Based on revision 1.", "revision": 1},
        content_type="application/json",
    )
    assert late.status_code == status.HTTP_412_PRECONDITION_FAILED
    subrisk.refresh_from_db()
    assert subrisk.statement == "Edited in the admin."


def test_an_admin_form_opened_before_another_change_is_refused(
    admin_client, subrisk, url
):
    data = change_form_data(admin_client, url)
    SubRisk.objects.filter(pk=subrisk.pk).update(
        statement="Changed meanwhile.", revision=2
    )
    data["statement"] = ["Edited in the admin."]

    response = admin_client.post(url, data)

    assert response.status_code == status.HTTP_200_OK
    assert response.context["adminform"].form.non_field_errors() == [
        f"{subrisk} has been changed by someone else since you opened it (it is "
        "now at revision 2). Open it again to see that change, then make yours."
    ]
    subrisk.refresh_from_db()
    assert (subrisk.statement, subrisk.revision) == ("Changed meanwhile.", 2)


def test_saving_an_admin_form_unchanged_keeps_the_revision(admin_client, subrisk, url):
    response = admin_client.post(url, change_form_data(admin_client, url))

    assert response.status_code == status.HTTP_302_FOUND
    subrisk.refresh_from_db()
    assert subrisk.revision == 1


def test_an_admin_form_without_its_revision_is_refused(admin_client, subrisk, url):
    data = change_form_data(admin_client, url)
    del data["opened_revision"]
    data["statement"] = ["Edited in the admin."]

    response = admin_client.post(url, data)

    assert response.status_code == status.HTTP_200_OK
    assert response.context["adminform"].form.errors["opened_revision"] == [
        "This field is required."
    ]
    subrisk.refresh_from_db()
    assert subrisk.statement == "As imported."


def test_an_area_saves_with_its_subrisks_inline_raising_each_changed_revision(
    admin_client, subrisk
):
    area = subrisk.area
    other = SubRiskFactory(area=area, statement="Left alone.")
    url = f"/admin/risks/riskarea/{area.pk}/change/"
    data = change_form_data(admin_client, url)
    data["name"] = ["Installation (renamed)"]
    first = next(
        name.removesuffix("-id")
        for name, values in data.items()
        if name.endswith("-id") and values == [str(subrisk.pk)]
    )
    data[f"{first}-statement"] = ["Edited inline."]

    response = admin_client.post(url, data)

    assert response.status_code == status.HTTP_302_FOUND
    area.refresh_from_db()
    subrisk.refresh_from_db()
    other.refresh_from_db()
    assert (area.name, area.revision) == ("Installation (renamed)", 2)
    assert (subrisk.statement, subrisk.revision) == ("Edited inline.", 2)
    assert (other.statement, other.revision) == ("Left alone.", 1)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/risks/subrisk/{subrisk.pk}/delete/",
        "/admin/risks/riskarea/{subrisk.area_id}/delete/",
        "/admin/risks/register/{subrisk.area.register_id}/delete/",
    ],
)
def test_register_content_is_archived_not_deleted_in_the_admin(
    admin_client, subrisk, url
):
    response = admin_client.post(url.format(subrisk=subrisk), {"post": "yes"})

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert SubRisk.objects.filter(pk=subrisk.pk).exists()


@pytest.mark.parametrize("model", ["methodology", "matrixcell", "ratinglevel"])
def test_the_methodology_is_only_shown_in_the_admin(admin_client, subrisk, model):
    methodology = subrisk.area.register.methodology
    pk = {
        "methodology": methodology.pk,
        "matrixcell": methodology.cells.first().pk,
        "ratinglevel": methodology.rating_levels.first().pk,
    }[model]
    url = f"/admin/risks/{model}/{pk}/change/"

    page = admin_client.get(url)
    response = admin_client.post(url, {"name": "Changed", "rating": ""})

    assert page.status_code == status.HTTP_200_OK
    assert response.status_code == status.HTTP_403_FORBIDDEN
