from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from risks.exports.common import ExportScope, export_filename
from risks.exports.responses import FORMATS
from risks.models import Register, RiskArea
from risks.transfer_forms import ExportFilterForm


class Command(BaseCommand):
    help = (
        "Exports a register as xlsx, csv, json or pdf, optionally filtered like the "
        "overview. The file is named <reference>-<yyyy-mm-dd>.<format> unless "
        "--output says otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "reference", help="The register's reference, e.g. SRR-2017."
        )
        parser.add_argument(
            "--format", dest="file_format", choices=FORMATS, default="xlsx"
        )
        parser.add_argument("--output", help="File to write; - for standard output.")
        parser.add_argument("--rating", default="", help="A rating name, e.g. High.")
        parser.add_argument("--likelihood", default="", help="A likelihood value.")
        parser.add_argument("--impact", default="", help="A settlement impact value.")
        parser.add_argument("--group", default="", help="An area group.")
        parser.add_argument("--area", default="", help="One area's number.")
        parser.add_argument("--search", default="", help="Words to search for.")

    def handle(self, *args, reference, file_format, output, **options):
        register = (
            Register.objects.filter(reference=reference, archived_at__isnull=True)
            .select_related("methodology")
            .first()
        )
        if register is None:
            raise CommandError(f"There is no live register '{reference}'.")
        scope = self.scope(register, options)

        content = self.render(scope, file_format)
        if output == "-":
            self.stdout.write(content.decode("utf-8-sig"), ending="")
            return
        path = Path(output or export_filename(register, file_format))
        try:
            path.write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error}") from error
        self.stderr.write(self.style.SUCCESS(f"Wrote {path} ({len(content)} bytes)."))

    def scope(self, register, options):
        methodology = register.methodology
        areas = list(
            RiskArea.objects.for_register(register).active().order_by("number")
        )
        data = {
            "rating": options["rating"],
            "likelihood": options["likelihood"],
            "impact": options["impact"],
            "group": options["group"],
            "area": options["area"],
            "q": options["search"],
        }
        if not any(data.values()):
            return ExportScope.for_register(register)
        form = ExportFilterForm(
            data,
            ratings=list(methodology.rating_levels.all()),
            likelihoods=list(methodology.likelihood_levels.all()),
            impacts=list(methodology.impact_levels.all()),
            groups=list(dict.fromkeys(area.group for area in areas if area.group)),
            areas=areas,
        )
        if not form.is_valid():
            raise CommandError(
                "; ".join(
                    f"--{'search' if name == 'q' else name}: {error}"
                    for name, errors in form.errors.items()
                    for error in errors
                )
            )
        return ExportScope.for_register(
            register,
            criteria=form.criteria(),
            area_number=form.cleaned_data["area"],
            filters=form.filter_labels(),
        )

    def render(self, scope, file_format):
        from risks.exports.responses import export_response

        response = export_response(scope, file_format)
        if response.streaming:
            return b"".join(
                part if isinstance(part, bytes) else part.encode()
                for part in response.streaming_content
            )
        return response.content
