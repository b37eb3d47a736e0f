import getpass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_create_user_without_a_terminal_asks_for_password(monkeypatch):
    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr(getpass, "getpass", no_terminal)

    with pytest.raises(CommandError) as raised:
        call_command("create_user", "dashboard", "--role", "Viewer")
    assert str(raised.value) == "No terminal to ask for a password: pass --password."
    assert not get_user_model().objects.filter(username="dashboard").exists()


@pytest.mark.parametrize(
    ("username", "role", "password"),
    [
        ("dashboard", "Viewer", "plum-lantern-orbit-57"),
        ("assessor", "Editor", "quartz-meadow-violin-82"),
    ],
)
def test_create_user_with_the_readmes_password_creates_the_user(
    capsys, username, role, password
):
    call_command("create_user", username, "--role", role, "--password", password)

    user = get_user_model().objects.get(username=username)
    assert (
        user.check_password(password),
        [group.name for group in user.groups.all()],
        capsys.readouterr().out,
    ) == (True, [role], f"Created {username} as {role}.\n")
