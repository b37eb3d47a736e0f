"""The roles of the product, held as Django groups created by a migration.

Viewer reads and exports; Editor is a workgroup member who edits the register's
content; Methodology admin edits scales, rating levels and the matrix. Superusers
can do everything, including hard deletes in the admin.
"""

VIEWER = "Viewer"
EDITOR = "Editor"
METHODOLOGY_ADMIN = "Methodology admin"
ROLES = [VIEWER, EDITOR, METHODOLOGY_ADMIN]

CONTENT_MODELS = [
    ("risks", "riskarea"),
    ("risks", "subrisk"),
    ("risks", "riskfactor"),
    ("risks", "lesson"),
    ("risks", "lessonsource"),
    ("risks", "glossaryterm"),
    ("mitigations", "mitigation"),
]
METHODOLOGY_MODELS = [
    ("risks", "methodology"),
    ("risks", "likelihoodlevel"),
    ("risks", "impactlevel"),
    ("risks", "ratinglevel"),
    ("risks", "matrixcell"),
]
ALL_MODELS = [("risks", "register"), *CONTENT_MODELS, *METHODOLOGY_MODELS]

# Role -> list of (app_label, codename). Every role can view everything.
_VIEW = [(app, f"view_{model}") for app, model in ALL_MODELS]
ROLE_PERMISSIONS = {
    VIEWER: _VIEW,
    EDITOR: _VIEW
    + [
        (app, f"{action}_{model}")
        for app, model in CONTENT_MODELS
        for action in ("add", "change")
    ],
    METHODOLOGY_ADMIN: _VIEW
    + [
        (app, f"{action}_{model}")
        for app, model in METHODOLOGY_MODELS
        for action in ("add", "change")
    ],
}

# The permission each kind of access needs; pages and the API both use these.
READ_PERMISSION = "risks.view_register"
EDIT_PERMISSION = "risks.change_subrisk"
METHODOLOGY_PERMISSION = "risks.change_matrixcell"


def sync_role_groups(group_model, permission_model):
    """Creates the role groups and gives each exactly its permissions."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = [
            permission_model.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codenames
        ]
        group.permissions.set(permissions)
