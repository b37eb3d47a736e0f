from django import forms

from mitigations.models import Mitigation
from risks.forms import ArchiveRowMixin, RecordForm


class ReferencesField(forms.CharField):
    """A list of short references, typed one a line."""

    widget = forms.Textarea(attrs={"rows": 2})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return list(initial or []) != self.to_python(data)


class SubRiskChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.area.number}.{obj.key}: {obj.rating_label or obj.statement}"


class MitigationForm(RecordForm):
    """A current or proposed mitigation; the model says which fields go together."""

    narrative_fields = ("text",)

    references = ReferencesField(
        required=False,
        label="References",
        max_length=2000,
        help_text="Licence conditions, modifications and the like, one a line.",
    )

    class Meta:
        model = Mitigation
        fields = [
            "kind",
            "none_proposed",
            "text",
            "status",
            "owner",
            "due_date",
            "references",
            "subrisks",
            "order",
        ]
        labels = {"none_proposed": "None proposed", "due_date": "Due date"}
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "owner": forms.TextInput,
        }
        help_texts = {
            "status": "Proposed mitigations only: leave empty for a current one.",
            "none_proposed": "Tick when the text says why nothing is proposed.",
        }

    def __init__(self, *args, subrisks, **kwargs):
        super().__init__(*args, **kwargs)
        field = SubRiskChoiceField(
            queryset=self.fields["subrisks"].queryset,
            required=False,
            label="Sub-risks addressed",
            help_text="Leave all unticked when it addresses the whole area.",
            widget=forms.CheckboxSelectMultiple,
        )
        # The choices are the area's live sub-risks, read once for every row.
        field.queryset = field.queryset.filter(pk__in=[s.pk for s in subrisks])
        field.choices = [(s.pk, field.label_from_instance(s)) for s in subrisks]
        self.fields["subrisks"] = field
        self.fields["status"].choices = [
            ("", "No status"),
            *Mitigation.Status.choices,
        ]
        self.fields["order"].help_text = "Rows are shown from the lowest number up."


class MitigationRowForm(ArchiveRowMixin, MitigationForm):
    pass
