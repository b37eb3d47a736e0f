from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from risks.models import ApiToken
from risks.roles import EDIT_PERMISSION, METHODOLOGY_PERMISSION
from risks.tokens import api_token_issue


class Command(BaseCommand):
    help = (
        "Creates a named API token for a user and prints its key, once. The key "
        "alone goes to standard output, so `KEY=$(manage.py create_api_token ...)` "
        "works."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The user the token acts as.")
        parser.add_argument("name", help='What uses the token, e.g. "Dashboard".')
        parser.add_argument(
            "--scope",
            choices=ApiToken.Scope.values,
            default=ApiToken.Scope.READ,
            help="read (the default) or read_write.",
        )

    def handle(self, *args, username, name, scope, **options):
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user is named '{username}'.") from None
        try:
            key = api_token_issue(ApiToken(user=user, name=name, scope=scope))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

        self.stderr.write(
            f"Created the {scope} token '{name}' for {username}. Its key follows; "
            "it is shown only now."
        )
        self.stdout.write(key)
        writes = user.has_perm(EDIT_PERMISSION) or user.has_perm(METHODOLOGY_PERMISSION)
        if scope == ApiToken.Scope.READ_WRITE and not writes:
            self.stderr.write(
                self.style.WARNING(
                    f"Warning: {username} has no role that may write, so this "
                    "read-write token can only read until they are given one (e.g. "
                    "Editor)."
                )
            )
