from django import forms


class SubRiskFilterForm(forms.Form):
    """The overview's filters; choices come from the register's own methodology."""

    rating = forms.ChoiceField(required=False, label="Rating")
    likelihood = forms.TypedChoiceField(
        required=False, label="Likelihood", coerce=int, empty_value=None
    )
    impact = forms.TypedChoiceField(
        required=False, label="Settlement impact", coerce=int, empty_value=None
    )
    group = forms.ChoiceField(required=False, label="Group")
    review = forms.ChoiceField(
        required=False,
        label="Review",
        choices=[("", "Any review state"), ("due", "Review due")],
        error_messages={"invalid_choice": "Unknown review state '%(value)s'."},
    )
    q = forms.CharField(
        required=False,
        label="Search",
        max_length=200,
        help_text="Words in a sub-risk's description or its area's name or statement.",
        error_messages={
            "max_length": "Search text is too long (at most %(limit_value)d "
            "characters).",
            "null_characters_not_allowed": "Search text cannot contain null "
            "characters.",
        },
    )

    def __init__(self, *args, ratings, likelihoods, impacts, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_choices("rating", "Any rating", [(r.name, r.name) for r in ratings])
        self._set_choices(
            "likelihood",
            "Any likelihood",
            [(level.value, f"{level.value} – {level.label}") for level in likelihoods],
        )
        self._set_choices(
            "impact",
            "Any impact",
            [(level.value, f"{level.value} – {level.label}") for level in impacts],
        )
        self._set_choices("group", "Any group", [(group, group) for group in groups])

    def _set_choices(self, name, anything, choices):
        field = self.fields[name]
        field.choices = [("", anything), *choices]
        field.error_messages["invalid_choice"] = (
            f"Unknown {field.label.lower()} '%(value)s'."
        )

    def criteria(self):
        """The cleaned filters as keyword arguments for `SubRiskQuerySet.matching`."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "rating": data["rating"],
            "likelihood": data["likelihood"],
            "impact": data["impact"],
            "group": data["group"],
            "text": data["q"],
            "review_due": data["review"] == "due",
        }
