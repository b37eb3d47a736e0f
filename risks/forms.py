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


# ---- History and recovery ---------------------------------------------------


class HistoryPageForm(forms.Form):
    """The page of a history list, checked so a bad number gets a clear 400."""

    page = forms.IntegerField(
        required=False,
        min_value=1,
        label="Page",
        error_messages={
            "invalid": "Page must be a whole number, such as 2.",
            "min_value": "Page must be 1 or more.",
        },
    )


class ChangeFilterForm(HistoryPageForm):
    """The recent changes' filters: who, which area, and between which dates."""

    user = forms.ChoiceField(required=False, label="Changed by")
    area = forms.TypedChoiceField(
        required=False, label="Risk area", coerce=int, empty_value=None
    )
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "From must be a date such as 2017-05-24."},
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "To must be a date such as 2017-05-24."},
    )

    field_order = ["user", "area", "since", "until", "page"]

    def __init__(self, *args, users, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {user.get_username(): user for user in users}
        self.areas = {area.number: area for area in areas}
        self.fields["user"].choices = [
            ("", "Anyone"),
            *((name, name) for name in self.users),
        ]
        self.fields["user"].error_messages["invalid_choice"] = (
            "Changed by: unknown user '%(value)s'."
        )
        self.fields["area"].choices = [
            ("", "Any area"),
            *(
                (number, f"{number}. {area.name}{' (archived)' * area.is_archived}")
                for number, area in self.areas.items()
            ),
        ]
        self.fields["area"].error_messages["invalid_choice"] = (
            "Risk area: unknown area '%(value)s'."
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "To must be on or after From.")
        return data

    def criteria(self):
        """The cleaned filters as keyword arguments for `history.change_list`."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "user": self.users.get(data["user"]),
            "area": self.areas.get(data["area"]),
            "since": data["since"],
            "until": data["until"],
        }


class RestoreForm(forms.Form):
    """The revision a restore button was shown at; an older one is refused."""

    revision = forms.IntegerField(
        required=False,
        min_value=1,
        label="Revision",
        error_messages={
            "invalid": "Revision must be a whole number; reload the archived list.",
            "min_value": "Revision must be 1 or more; reload the archived list.",
        },
    )
