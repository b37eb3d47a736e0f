import json

from django.core.management.base import BaseCommand, CommandError

from risks.document import DocumentError
from risks.models import Register
from risks.services import RegisterExistsError, register_create_from_document


class Command(BaseCommand):
    help = "Creates a register from a register document (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Path of the register document.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database holds any register already.",
        )

    def handle(self, *args, path, if_empty, **options):
        if if_empty and Register.objects.exists():
            self.stdout.write("The database holds a register already; nothing loaded.")
            return
        try:
            with open(path, encoding="utf-8") as file:
                data = json.load(file)
        except (OSError, ValueError) as error:
            raise CommandError(f"Cannot read {path}: {error}") from error
        try:
            register = register_create_from_document(data=data)
        except (DocumentError, RegisterExistsError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {register.reference} with {register.areas.count()} areas."
            )
        )
