"""API tokens: issuing, checking and revoking the keys other systems use.

A key looks like ``rr_<prefix>_<secret>``. Only its SHA-256 hash is stored, next to
the prefix that finds the row; the key itself is shown once, when it is issued.
A SHA-256 hash is enough because keys are 256-bit random secrets, not passwords:
there is nothing to guess from a dictionary.
"""

import datetime as dt
import functools
import hashlib
import hmac
import logging
import secrets

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from riskregister.lib.prepared import prepared_statements
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
    token = _token_with_user(prefix)
    # Hash and compare even for an unknown prefix, so timing tells nothing.
    expected = token.key_hash if token else _hash("")
    if not hmac.compare_digest(_hash(key), expected) or token is None:
        raise InvalidTokenError("Invalid token.")
    if token.revoked_at is not None:
        raise InvalidTokenError("This token has been revoked.")
    if not token.user.is_active:
        raise InvalidTokenError("The token's user account is disabled.")
    if token.user.is_superuser:
        token.role_permissions = set(ROLE_PERMISSIONS)
    _record_use(token)
    return token


# Whether the token's user holds a role permission, through a group or directly.
_ROLE_CHECK = """CASE WHEN EXISTS (
    SELECT 1 FROM auth_user_groups ug
    JOIN auth_group_permissions gp ON gp.group_id = ug.group_id
    JOIN auth_permission p ON p.id = gp.permission_id
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE ug.user_id = u.id AND ct.app_label = %s AND p.codename = %s
) OR EXISTS (
    SELECT 1 FROM auth_user_user_permissions up
    JOIN auth_permission p ON p.id = up.permission_id
    JOIN django_content_type ct ON ct.id = p.content_type_id
    WHERE up.user_id = u.id AND ct.app_label = %s AND p.codename = %s
) THEN 1 ELSE 0 END"""


def _columns(model, alias):
    return [f'{alias}."{field.column}"' for field in model._meta.concrete_fields]


@functools.cache
def _token_query():
    """SQL for a token by prefix, with its user and their role permissions.

    Every API request runs it. Built by the ORM, with the role checks as
    subqueries, it took 2.5 ms of Python each time, ten times as long as the
    query itself; written out, it is built once per process.
    """
    select = [
        *_columns(ApiToken, "t"),
        *_columns(User, "u"),
        *[_ROLE_CHECK] * len(ROLE_PERMISSIONS),
    ]
    # Only column names from model metadata go in; values are parameters.
    return (
        f"SELECT {', '.join(select)} FROM risks_apitoken t"  # noqa: S608
        " JOIN auth_user u ON u.id = t.user_id WHERE t.prefix = %s"
    )


# The values of _ROLE_CHECK's placeholders, in the order of the query.
_ROLE_PARAMS = [
    part for permission in ROLE_PERMISSIONS for part in permission.split(".") * 2
]
_ROW_MODELS = (ApiToken, User)


def _row_converter(connection):
    """Turns a row of the token query into Python values, as the ORM would.

    SQLite hands back text for times and integers for booleans. The converters
    depend only on the connection, so each connection makes them once.
    """
    cached = getattr(connection, "_rr_token_row_converter", None)
    if cached is None:
        compiler = connection.ops.compiler("SQLCompiler")(
            None, connection, connection.alias
        )
        converters = compiler.get_converters(
            [
                field.get_col(model._meta.db_table)
                for model in _ROW_MODELS
                for field in model._meta.concrete_fields
            ]
        )
        cached = functools.partial(compiler.apply_converters, converters=converters)
        connection._rr_token_row_converter = cached
    return cached


def _token_with_user(prefix):
    """The token with that prefix, its user, and its `role_permissions`; or None."""
    with prepared_statements(), connection.cursor() as cursor:
        cursor.execute(_token_query(), [*_ROLE_PARAMS, prefix])
        row = cursor.fetchone()
    if row is None:
        return None

    values = iter(next(_row_converter(connection)([row])))
    token, user = (
        model.from_db(
            connection.alias,
            [field.attname for field in model._meta.concrete_fields],
            [next(values) for _ in model._meta.concrete_fields],
        )
        for model in _ROW_MODELS
    )
    token.user = user
    token.role_permissions = {
        permission for permission in ROLE_PERMISSIONS if next(values)
    }
    return token


def _record_use(token):
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < LAST_USED_PRECISION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
