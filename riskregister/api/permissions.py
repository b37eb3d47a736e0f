from rest_framework import permissions

from risks.models import ApiToken
from risks.roles import EDIT_PERMISSION, READ_PERMISSION


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
            return user.has_perm(READ_PERMISSION)
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.READ_WRITE:
            self.message = "This token may only read; writing needs a read-write token."
            return False
        return user.has_perm(getattr(view, "write_permission", EDIT_PERMISSION))
