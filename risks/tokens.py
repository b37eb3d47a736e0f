"""API tokens: issuing, checking and revoking the keys other systems use.

A key looks like ``rr_<prefix>_<secret>``. Only its SHA-256 hash is stored, next to
the prefix that finds the row; the key itself is shown once, when it is issued.
A SHA-256 hash is enough because keys are 256-bit random secrets, not passwords:
there is nothing to guess from a dictionary.
"""

import datetime as dt
import hashlib
import hmac
import logging
import secrets

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from risks.models import ApiToken
from risks.roles import EDIT_PERMISSION, METHODOLOGY_PERMISSION, READ_PERMISSION

logger = logging.getLogger(__name__)

KEY_START = "rr"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = dt.timedelta(minutes=1)
ROLE_PERMISSIONS = [READ_PERMISSION, EDIT_PERMISSION, METHODOLOGY_PERMISSION]


class InvalidTokenError(Exception):
    """The key is malformed, unknown, revoked, or its user may not log in."""


def _hash(key):
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key():
    prefix = secrets.token_hex(6)
    return prefix, f"{KEY_START}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_token_issue(token, *, created_by=None) -> str:
    """Gives an unsaved token a new key, saves it and returns the key.

    The key is not kept anywhere: the caller shows it once. Raises Django's
    `ValidationError` when the token is invalid, e.g. its name is taken.
    """
    token.prefix, key = _new_key()
    token.key_hash = _hash(key)
    token.created_by = created_by
    token.full_clean()
    token.save()
    logger.info("API token %s issued with scope %s", token.prefix, token.scope)
    return key


def api_token_revoke(token) -> ApiToken:
    """Refuses the token from now on; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("API token %s revoked", token.prefix)
    return token


def api_token_check(key) -> ApiToken:
    """Returns the live token that `key` belongs to, with its user.

    Raises `InvalidTokenError` otherwise. Records the use, at most once a minute.
    """
    start, _, rest = key.partition("_")
    prefix, _, secret = rest.partition("_")
    if start != KEY_START or not prefix or not secret:
        raise InvalidTokenError("Invalid token.")
    token = (
        ApiToken.objects.select_related("user")
        .annotate(**_role_permission_checks())
        .filter(prefix=prefix)
        .first()
    )
    # Hash and compare even for an unknown prefix, so timing tells nothing.
    expected = token.key_hash if token else _hash("")
    if not hmac.compare_digest(_hash(key), expected) or token is None:
        raise InvalidTokenError("Invalid token.")
    if token.revoked_at is not None:
        raise InvalidTokenError("This token has been revoked.")
    if not token.user.is_active:
        raise InvalidTokenError("The token's user account is disabled.")
    token.role_permissions = {
        permission
        for index, permission in enumerate(ROLE_PERMISSIONS)
        if token.user.is_superuser or getattr(token, f"grants_{index}")
    }
    _record_use(token)
    return token


def _role_permission_checks():
    """Whether the token's user holds each role permission, directly or by group.

    Read with the token in one query, so an API request checks its role without
    two more queries for the user's permissions.
    """
    checks = {}
    for index, permission in enumerate(ROLE_PERMISSIONS):
        app_label, codename = permission.split(".")
        held = Permission.objects.filter(
            codename=codename, content_type__app_label=app_label
        ).filter(Q(user=OuterRef("user_id")) | Q(group__user=OuterRef("user_id")))
        checks[f"grants_{index}"] = Exists(held)
    return checks


def _record_use(token):
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
