from rest_framework import permissions

from risks.roles import EDIT_PERMISSION, READ_PERMISSION


class RolePermission(permissions.BasePermission):
    """Reading needs the Viewer role's permission; writing needs the Editor's.

    Views that write methodology set `write_permission` to the Methodology admin's.
    """

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return user.has_perm(READ_PERMISSION)
        return user.has_perm(getattr(view, "write_permission", EDIT_PERMISSION))
