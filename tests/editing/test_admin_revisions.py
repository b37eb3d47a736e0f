import pytest
from django.test import Client
from rest_framework import status

from risks.models import ApiToken, SubRisk
from risks.tokens import api_token_issue
from tests.factories import SubRiskFactory

pytestmark = pytest.mark.django_db


def change_form_data(admin_client, url):
    """What the admin's change form would post back unchanged."""
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = field.prepare_value(form[name].value())
        if value is not None:
            data[name] = value
    return data


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
    data["statement"] = "Edited in the admin."

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
    data["statement"] = "Edited in the admin."

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
    data["statement"] = "Edited in the admin."

    response = admin_client.post(url, data)

    assert response.status_code == status.HTTP_200_OK
    assert response.context["adminform"].form.errors["opened_revision"] == [
        "This field is required."
    ]
    subrisk.refresh_from_db()
    assert subrisk.statement == "As imported."
