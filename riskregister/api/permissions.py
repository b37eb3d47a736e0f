from rest_framework import permissions

from risks.models import ApiToken
from risks.roles import EDIT_PERMISSION, READ_PERMISSION
from risks.tokens import ROLE_PERMISSIONS


class RolePermission(permissions.BasePermission):
    """Reading needs the Viewer role's permission; writing needs the Editor's.

    Views that write methodology set `write_permission` to the Methodology admin's.
    A read-scoped API token cannot write, whatever its user's role.
    """

    message = None

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return _has_perm(request, READ_PERMISSION)
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.READ_WRITE:
            self.message = "This token may only read; writing needs a read-write token."
            return False
        return _has_perm(request, getattr(view, "write_permission", EDIT_PERMISSION))


def _has_perm(request, permission):
    # A token read its user's role permissions with it (`api_token_check`).
    granted = getattr(request.auth, "role_permissions", None)
    if granted is not None and permission in ROLE_PERMISSIONS:
        return permission in granted
    return request.user.has_perm(permission)
