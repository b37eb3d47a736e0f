import datetime as dt
import hashlib

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework import status

from risks.models import ApiToken
from risks.tokens import api_token_issue, api_token_revoke
from tests.factories import SubRiskFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/subrisks/"


def errors(response):
    return response.json()["errors"]


def issue(user, scope=ApiToken.Scope.READ, name="Dashboard"):
    token = ApiToken(user=user, name=name, scope=scope)
    return token, api_token_issue(token)


def bearer(key, scheme="Bearer"):
    return Client(headers={"authorization": f"{scheme} {key}"})


def test_issuing_keeps_only_the_hash_of_the_key(viewer):
    token, key = issue(viewer)

    token.refresh_from_db()
    start, prefix, secret = key.split("_", 2)
    assert (start, prefix, len(prefix)) == ("rr", token.prefix, 12)
    assert len(secret) >= 43
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix, token.name}


@pytest.mark.parametrize("scheme", ["Bearer", "Token", "bearer"])
def test_both_schemes_authenticate(viewer, scheme):
    _, key = issue(viewer)

    response = bearer(key, scheme).get(LIST)

    assert response.status_code == status.HTTP_200_OK


def test_a_revoked_token_is_refused_with_401(viewer):
    token, key = issue(viewer)
    api_token_revoke(token)

    response = bearer(key).get(LIST)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert errors(response) == [
        {
            "field": None,
            "message": "This token has been revoked.",
            "code": "authentication_failed",
        }
    ]


def test_revoking_twice_keeps_the_first_time(viewer):
    token, _ = issue(viewer)
    first = api_token_revoke(token).revoked_at

    assert api_token_revoke(token).revoked_at == first


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer a b",
        "Bearer not-a-key",
        "Bearer rr_000000000000_guessed",
        "Token rr__secret",
    ],
)
def test_malformed_or_unknown_keys_are_refused(viewer, header):
    issue(viewer)

    response = Client(headers={"authorization": header}).get(LIST)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED


def test_a_key_with_a_known_prefix_but_wrong_secret_is_refused(viewer):
    token, key = issue(viewer)

    response = bearer(key[:-4] + "abcd").get(LIST)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert errors(response)[0]["message"] == "Invalid token."


def test_a_disabled_users_token_is_refused(viewer):
    _, key = issue(viewer)
    viewer.is_active = False
    viewer.save()

    response = bearer(key).get(LIST)

    assert response.status_code == status.HTTP_401_UNAUTHORIZED
    assert errors(response)[0]["message"] == "The token's user account is disabled."


def test_first_use_is_recorded(viewer):
    token, key = issue(viewer)

    bearer(key).get(LIST)

    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < dt.timedelta(seconds=10)


def test_use_is_recorded_at_most_once_a_minute(viewer):
    token, key = issue(viewer)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)

    bearer(key).get(LIST)

    token.refresh_from_db()
    assert token.last_used_at == recent


def test_use_after_a_minute_is_recorded_again(viewer):
    token, key = issue(viewer)
    old = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)

    bearer(key).get(LIST)

    token.refresh_from_db()
    assert token.last_used_at > old


def test_a_read_token_cannot_write_even_for_an_editor(editor):
    subrisk = SubRiskFactory()
    _, key = issue(editor, ApiToken.Scope.READ)

    response = bearer(key).delete(
        f"{LIST}{subrisk.reference}/", headers={"if-match": '"any"'}
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert errors(response) == [
        {
            "field": None,
            "message": "This token may only read; writing needs a read-write token.",
            "code": "permission_denied",
        }
    ]
    subrisk.refresh_from_db()
    assert subrisk.archived_at is None


def test_a_read_write_token_of_a_viewer_cannot_write(viewer):
    subrisk = SubRiskFactory()
    _, key = issue(viewer, ApiToken.Scope.READ_WRITE)

    response = bearer(key).delete(
        f"{LIST}{subrisk.reference}/", headers={"if-match": '"any"'}
    )

    assert response.status_code == status.HTTP_403_FORBIDDEN
    assert errors(response)[0]["message"] == (
        "You do not have permission to perform this action."
    )


def test_a_token_of_a_user_without_a_role_cannot_read(outsider):
    _, key = issue(outsider)

    assert bearer(key).get(LIST).status_code == status.HTTP_403_FORBIDDEN


def test_token_names_are_unique_per_user(viewer):
    issue(viewer, name="Dashboard")

    with pytest.raises(Exception, match="already exists"):
        issue(viewer, name="Dashboard")


def test_command_prints_the_key_once_and_it_works(viewer, capsys):
    call_command("create_api_token", "viewer", "Monitoring", "--scope", "read_write")

    out, err = capsys.readouterr()
    key = out.strip()
    token = ApiToken.objects.get()
    assert (token.user, token.name, token.scope, token.created_by) == (
        viewer,
        "Monitoring",
        "read_write",
        None,
    )
    assert key.startswith(f"rr_{token.prefix}_")
    assert "shown only now" in err
    assert bearer(key).get(LIST).status_code == status.HTTP_200_OK


WRITE_WARNING = (
    "Warning: viewer has no role that may write, so this read-write token can only "
    "read until they are given one (e.g. Editor)."
)


def test_command_warns_of_a_read_write_token_for_a_user_who_cannot_write(
    viewer, capsys
):
    call_command("create_api_token", "viewer", "Monitoring", "--scope", "read_write")

    out, err = capsys.readouterr()
    assert err.splitlines()[-1] == WRITE_WARNING
    assert ApiToken.objects.get().scope == ApiToken.Scope.READ_WRITE
    response = bearer(out.strip()).post(LIST, {}, content_type="application/json")
    assert response.status_code == status.HTTP_403_FORBIDDEN


@pytest.mark.parametrize("scope", ["read", "read_write"])
def test_command_does_not_warn_when_the_scope_fits_the_role(
    viewer, editor, capsys, scope
):
    call_command("create_api_token", "viewer", "Dashboard", "--scope", "read")
    call_command("create_api_token", "editor", "Assessments", "--scope", scope)

    assert "Warning" not in capsys.readouterr().err


def test_command_defaults_to_read_scope(viewer, capsys):
    call_command("create_api_token", "viewer", "Dashboard")

    assert ApiToken.objects.get().scope == ApiToken.Scope.READ


def test_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user is named 'nobody'."):
        call_command("create_api_token", "nobody", "Dashboard")


def test_command_refuses_a_taken_name(viewer, capsys):
    call_command("create_api_token", "viewer", "Dashboard")

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_api_token", "viewer", "Dashboard")
    assert ApiToken.objects.count() == 1


def test_admin_creates_a_token_and_shows_the_key_once(admin_client, admin_user, viewer):
    response = admin_client.post(
        "/admin/risks/apitoken/add/",
        {"user": viewer.pk, "name": "Dashboard", "scope": "read"},
        follow=True,
    )

    token = ApiToken.objects.get()
    [message] = [
        str(message)
        for message in response.context["messages"]
        if "not shown again" in str(message)
    ]
    key = message.split(" is ", 1)[1].split(" ")[0]
    assert key.startswith(f"rr_{token.prefix}_")
    assert message.endswith("copy it now: it is not shown again.")
    assert token.created_by == admin_user
    assert bearer(key).get(LIST).status_code == status.HTTP_200_OK
    detail = admin_client.get(f"/admin/risks/apitoken/{token.pk}/change/")
    assert key not in detail.content.decode()


def test_admin_revokes_selected_tokens(admin_client, viewer):
    token, key = issue(viewer)

    response = admin_client.post(
        "/admin/risks/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert "Revoked 1 token." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert bearer(key).get(LIST).status_code == status.HTTP_401_UNAUTHORIZED


def test_admin_pages_need_a_superuser(editor_client):
    response = editor_client.get("/admin/risks/apitoken/add/")

    assert response.status_code == status.HTTP_302_FOUND


def test_a_token_304_reads_the_token_and_the_content_version_only(
    viewer, django_assert_num_queries
):
    SubRiskFactory()
    _, key = issue(viewer)
    client = bearer(key)
    etag = client.get("/api/v1/ratings/")["ETag"]

    with django_assert_num_queries(2):
        response = client.get("/api/v1/ratings/", headers={"if-none-match": etag})

    assert response.status_code == status.HTTP_304_NOT_MODIFIED


def test_a_role_taken_away_applies_to_the_next_request(viewer):
    _, key = issue(viewer)
    client = bearer(key)
    assert client.get(LIST).status_code == status.HTTP_200_OK

    viewer.groups.clear()

    assert client.get(LIST).status_code == status.HTTP_403_FORBIDDEN


def test_a_superusers_token_reads_and_writes(admin_user):
    subrisk = SubRiskFactory(statement="Before.")
    _, key = issue(admin_user, ApiToken.Scope.READ_WRITE)

    response = bearer(key).patch(
        f"{LIST}{subrisk.reference}/",
        {"statement": "After.", "revision": 1},
        content_type="application/json",
    )

    assert response.status_code == status.HTTP_200_OK
    assert subrisk.history.first().history_user == admin_user


@pytest.mark.parametrize(
    ("status_filter", "names"), [("live", ["A"]), ("revoked", ["B"])]
)
def test_admin_lists_live_or_revoked_tokens(admin_client, viewer, status_filter, names):
    issue(viewer, name="A")
    api_token_revoke(issue(viewer, name="B")[0])

    response = admin_client.get(f"/admin/risks/apitoken/?status={status_filter}")

    assert [token.name for token in response.context["cl"].result_list] == names
