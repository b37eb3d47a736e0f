from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from risks.imports.files import MAX_BYTES, ImportFileError
from risks.imports.services import (
    import_batch_apply,
    import_batch_create,
    plan_file,
)
from risks.models import Register
from risks.services import RegisterExistsError, StaleRevisionError


class Command(BaseCommand):
    help = (
        "Imports a register file (our Excel or JSON export): as a new register, or "
        "onto --register. Without --apply it is a dry run that only prints what "
        "would change."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .xlsx or .json file.")
        parser.add_argument(
            "--register", help="Reference of the register to import onto."
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run",
            action="store_true",
            default=True,
            help="Only check the file and show what would change (the default).",
        )
        mode.add_argument(
            "--apply", action="store_true", help="Write the changes, in one go."
        )
        parser.add_argument(
            "--user",
            help="User name the changes are recorded under; required with --apply.",
        )

    def handle(self, *args, path, register, apply, user, **options):
        target = None
        if register:
            target = Register.objects.filter(
                reference=register, archived_at__isnull=True
            ).first()
            if target is None:
                raise CommandError(f"There is no live register '{register}'.")
        importer = None
        if apply:
            if not user:
                raise CommandError(
                    "--apply needs --user, to record who made the changes."
                )
            importer = get_user_model().objects.filter(username=user).first()
            if importer is None:
                raise CommandError(f"There is no user '{user}'.")
        content = self.read(path)

        try:
            if not apply:
                _, plan = plan_file(content, register=target)
                self.report(plan.preview, applied=False)
                return
            batch = import_batch_create(
                user=importer,
                filename=Path(path).name,
                content=content,
                register=target,
            )
            import_batch_apply(batch=batch, user=importer)
        except ImportFileError as error:
            raise CommandError(
                "The file cannot be imported; nothing was changed:\n  "
                + "\n  ".join(error.problems)
            ) from error
        except (StaleRevisionError, RegisterExistsError) as error:
            raise CommandError(f"Nothing was changed: {error}") from error
        self.report(batch.preview, applied=True)

    def read(self, path):
        try:
            file = Path(path)
            if file.stat().st_size > MAX_BYTES:
                raise CommandError(
                    f"{path}: the file is larger than {MAX_BYTES // (1024 * 1024)} MB."
                )
            return file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error}") from error

    def report(self, preview, *, applied):
        verb = {
            "create": "created" if applied else "would be created",
            "update": "changed" if applied else "would be changed",
            "restore": "restored" if applied else "would be restored",
            "archive": "archived" if applied else "would be archived",
        }
        for entry in preview["entries"]:
            self.stdout.write(
                f"{verb[entry['action']]}: {entry['kind']} {entry['reference']}"
            )
            for change in entry["changes"]:
                self.stdout.write(
                    f"    {change['field']}: {change['old'] or '(empty)'} -> "
                    f"{change['new'] or '(empty)'}"
                )
        for warning in preview["warnings"]:
            self.stdout.write(f"warning: {warning}")
        counts = preview["counts"]
        summary = (
            f"{preview['register']}: {counts['create']} created, {counts['update']} "
            f"changed, {counts['restore']} restored, {counts['archive']} archived, "
            f"{counts['unchanged']} unchanged"
        )
        if applied:
            self.stdout.write(self.style.SUCCESS(f"Applied. {summary}."))
        else:
            self.stdout.write(
                f"Dry run, nothing written. {summary}. Use --apply to write."
            )
