"""Forms of the export links and the import upload."""

from django import forms
from django.core.exceptions import ValidationError

from risks.forms import SubRiskFilterForm
from risks.imports.files import MAX_BYTES, ImportFileError, check_size


class ExportFilterForm(SubRiskFilterForm):
    """The overview's filters, plus the area an area page exports."""

    area = forms.TypedChoiceField(
        required=False, label="Risk area", coerce=int, empty_value=None
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_choices(
            "area",
            "Any risk area",
            [(area.number, f"{area.number}. {area.name}") for area in areas],
        )

    def filter_labels(self):
        """The filters set, as (label, shown value) pairs, for the exported file."""
        labels = []
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            field = self.fields[name]
            choices = dict(getattr(field, "choices", ()))
            labels.append((field.label, str(choices.get(value, value))))
        return labels


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="Register file",
        help_text=(
            "A register exported from this application as Excel (.xlsx) or JSON, "
            f"up to {MAX_BYTES // (1024 * 1024)} MB. Nothing is changed until you "
            "have checked the preview and confirmed it."
        ),
        error_messages={
            "required": "Choose a file to import.",
            "empty": "The file is empty.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise ValidationError(error.problems) from None
        return upload
