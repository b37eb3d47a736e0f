import getpass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from risks.roles import ROLES


class Command(BaseCommand):
    help = "Creates a user with one of the roles: " + ", ".join(ROLES) + "."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=ROLES)
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password",
            help="The password; asked for when omitted. Avoid it on shared machines, "
            "where shell history keeps it.",
        )

    def handle(self, *args, username, role, email, password, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(f"A user named '{username}' exists already.")
        if password is None:
            try:
                password = getpass.getpass(f"Password for {username}: ")
            except EOFError:
                # No terminal (a script, a pipe, cron) or Ctrl-D at the prompt.
                raise CommandError(
                    "No terminal to ask for a password: pass --password."
                ) from None
        user = User(username=username, email=email)
        try:
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
        self.stdout.write(self.style.SUCCESS(f"Created {username} as {role}."))
