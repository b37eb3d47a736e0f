from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation

from riskregister.lib.text import normalise_newlines
from risks.models import Lesson, LessonSource, RiskArea, RiskFactor, SubRisk


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
        self._match_rating_in_any_case(ratings)
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

    def _match_rating_in_any_case(self, ratings):
        # As the API's lists do: ?rating=medium is the rating named Medium.
        given = self.data.get("rating") if self.is_bound else None
        names = {rating.name for rating in ratings}
        if not given or given in names:
            return
        by_case = {name.casefold(): name for name in names}
        if given.casefold() in by_case:
            self.data = self.data.copy()
            self.data["rating"] = by_case[given.casefold()]

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


# ---- Editing ---------------------------------------------------------------

NARRATIVE_HELP = "Leave a blank line between paragraphs; start each bullet with “- ”."


class LevelField(forms.ModelChoiceField):
    """A scale level, chosen and posted by its value; labelled "3 – Medium"."""

    def __init__(self, *, levels, queryset, **kwargs):
        super().__init__(queryset=queryset, to_field_name="value", **kwargs)
        self.choices = [
            ("", f"Choose {kwargs['label'].lower()}"),
            *((level.value, self.label_from_instance(level)) for level in levels),
        ]
        self.error_messages["invalid_choice"] = (
            f"Choose a {kwargs['label'].lower()} of this register's scale."
        )

    def label_from_instance(self, obj):
        return f"{obj.value} – {obj.label}"


class Scales:
    """A methodology's levels read once, for the many forms of an edit page."""

    def __init__(self, methodology):
        self.methodology = methodology
        self.likelihoods = list(methodology.likelihood_levels.all())
        self.impacts = list(methodology.impact_levels.all())

    def likelihood_field(self):
        return LevelField(
            levels=self.likelihoods,
            queryset=self.methodology.likelihood_levels.all(),
            label="Likelihood",
        )

    def impact_field(self):
        return LevelField(
            levels=self.impacts,
            queryset=self.methodology.impact_levels.all(),
            label="Settlement impact",
        )


def normalised_data(data):
    """Posted data with every text's line endings as "\n"; read once per request
    however many row forms share it."""
    cached = getattr(data, "normalised_newlines", None)
    if cached is not None:
        return cached
    normalised = data
    if hasattr(data, "lists") and any(
        "\r" in value for _, values in data.lists() for value in values
    ):
        normalised = data.copy()
        for key, values in data.lists():
            normalised.setlist(key, [normalise_newlines(value) for value in values])
    elif not hasattr(data, "lists") and any("\r" in str(v) for v in data.values()):
        normalised = {key: normalise_newlines(value) for key, value in data.items()}
    for holder in (data, normalised):
        try:
            holder.normalised_newlines = normalised
        except AttributeError:
            pass
    return normalised


class RecordForm(forms.ModelForm):
    """A record's form; it carries the revision it was opened at, to refuse lost
    updates. Validation beyond the field types lives on the model (`clean()`)."""

    revision = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        label="Revision",
        error_messages={
            "required": "The form lost the version it was opened at; reload the page.",
            "invalid": "The form's version is not a number; reload the page.",
            "min_value": "The form's version is not valid; reload the page.",
        },
    )
    narrative_fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Browsers post text with "\r\n": read as stored, untouched text is
            # unchanged and saved text holds "\n" only.
            self.data = normalised_data(self.data)
        if self.instance.pk:
            self.fields["revision"].initial = self.instance.revision
            self.fields["revision"].required = True
        for name in self.narrative_fields:
            field = self.fields[name]
            field.widget.attrs["rows"] = 4
            field.help_text = " ".join(filter(None, [field.help_text, NARRATIVE_HELP]))

    def record_field_names(self):
        """The record's own fields on the form (not an inline row's parent link)."""
        return [
            name
            for name in self._meta.fields
            if name in self.fields
            and not isinstance(self.fields[name], forms.models.InlineForeignKeyField)
        ]

    def track_changes(self):
        """Posts each field's value as first shown alongside it, so that a save can
        tell what this user changed from what someone else saved meanwhile."""
        for name in self.record_field_names():
            self.fields[name].show_hidden_initial = True

    def tracks_changes(self):
        return any(
            self.fields[name].show_hidden_initial for name in self.record_field_names()
        )

    def changed_fields(self):
        """Names of the record's fields this user changed."""
        names = self.record_field_names()
        return [name for name in self.changed_data if name in names]

    def shown_value(self, name):
        """The value `name` had when the page was shown, as posted beside it; None
        when the form does not track changes or the posted value is unreadable."""
        field = self.fields[name]
        if not (self.is_bound and field.show_hidden_initial):
            return None
        raw = self._widget_data_value(
            field.hidden_widget(), self[name].html_initial_name
        )
        try:
            return field.to_python(raw)
        except forms.ValidationError:
            return None

    def record_values(self):
        """The cleaned values for the service: plain fields and many-to-many ones.

        For a stored record whose form tracks changes, only the fields this user
        changed: a save over someone else's newer revision then keeps their
        changes to every other field (a three-way merge)."""
        model = self._meta.model
        names = self.record_field_names()
        if self.instance.pk and self.tracks_changes():
            names = self.changed_fields()
        fields, m2m = {}, {}
        for name in names:
            if name not in self.cleaned_data:
                continue
            many = model._meta.get_field(name).many_to_many
            (m2m if many else fields)[name] = self.cleaned_data[name]
        return fields, m2m


class ArchiveRowMixin(forms.Form):
    """A row of the area edit page: a record that can be archived from there."""

    archive = forms.BooleanField(
        required=False,
        label="Archive",
        help_text="Hides the row from the register; it can be restored later.",
    )


class AreaCreateForm(RecordForm):
    narrative_fields = (
        "statement",
        "rating_commentary",
        "settlement_impact",
        "market_impact",
    )

    class Meta:
        model = RiskArea
        fields = [
            "number",
            "name",
            "group",
            "statement",
            "rating_commentary",
            "settlement_impact",
            "market_impact",
            "see_also",
        ]
        labels = {"statement": "Description", "see_also": "See also"}
        widgets = {"see_also": forms.CheckboxSelectMultiple}

    def __init__(self, *args, register, **kwargs):
        super().__init__(*args, **kwargs)
        others = RiskArea.objects.for_register(register).active().order_by("number")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        self.fields["see_also"].queryset = others
        self.fields["see_also"].help_text = "Areas this one refers to."


class AreaForm(AreaCreateForm):
    """An area's own fields; its number names it in every reference, so it stays."""

    class Meta(AreaCreateForm.Meta):
        fields = [name for name in AreaCreateForm.Meta.fields if name != "number"]


class SubRiskForm(RecordForm):
    narrative_fields = ("statement",)

    class Meta:
        model = SubRisk
        fields = [
            "statement",
            "rating_label",
            "likelihood",
            "impact",
            "order",
            "reviewed_on",
        ]
        labels = {"statement": "Description", "reviewed_on": "Last reviewed on"}
        widgets = {
            "rating_label": forms.TextInput,
            "reviewed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, scales, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"] = scales.likelihood_field()
        self.fields["impact"] = scales.impact_field()
        # The levels are chosen by value; the stored record names them by id.
        for name, levels in (
            ("likelihood", scales.likelihoods),
            ("impact", scales.impacts),
        ):
            values = {level.pk: level.value for level in levels}
            if self.initial.get(name) in values:
                self.initial[name] = values[self.initial[name]]
        self.fields["likelihood"].widget.attrs["data-rating"] = "likelihood"
        self.fields["impact"].widget.attrs["data-rating"] = "impact"
        self.fields["order"].help_text = "Rows are shown from the lowest number up."
        self.preview_rating = None

    def preview(self):
        """The rating the chosen levels would get, through the matrix; None if
        the levels are not valid."""
        from risks.rating import MatrixIncompleteError, rating_for

        likelihood = self.cleaned_data.get("likelihood")
        impact = self.cleaned_data.get("impact")
        if likelihood is None or impact is None:
            return None
        try:
            self.preview_rating = rating_for(likelihood=likelihood, impact=impact)
        except MatrixIncompleteError as error:
            self.add_error("impact", str(error))
        return self.preview_rating


class SubRiskRowForm(ArchiveRowMixin, SubRiskForm):
    pass


class RiskFactorForm(RecordForm):
    narrative_fields = ("lead_in", "text")

    class Meta:
        model = RiskFactor
        fields = ["style", "lead_in", "text", "order"]
        labels = {"lead_in": "Lead-in", "text": "Text"}


class RiskFactorRowForm(ArchiveRowMixin, RiskFactorForm):
    pass


class LessonCreateForm(RecordForm):
    narrative_fields = ("problem", "lesson")

    class Meta:
        model = Lesson
        fields = ["source", "number", "problem", "lesson", "related_areas"]
        labels = {
            "problem": "Problem and solution",
            "lesson": "Lesson for the smart roll-out",
            "related_areas": "Risk areas",
        }
        widgets = {"related_areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args, register, **kwargs):
        super().__init__(*args, **kwargs)
        if "source" in self.fields:
            self.fields["source"].queryset = LessonSource.objects.filter(
                register=register
            )
            self.fields["source"].empty_label = "Choose a source"
        self.fields["related_areas"].queryset = (
            RiskArea.objects.for_register(register).active().order_by("number")
        )


class LessonForm(LessonCreateForm):
    """A lesson's text and areas; its source and number name it, so they stay."""

    class Meta(LessonCreateForm.Meta):
        fields = ["problem", "lesson", "related_areas"]


class RatingPreviewForm(forms.Form):
    """The likelihood and impact whose rating the edit pages show as you choose."""

    def __init__(self, *args, scales, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"] = scales.likelihood_field()
        self.fields["impact"] = scales.impact_field()


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


class ActionForm(forms.Form):
    """What an archive or restore button posts: the revision seen, where to go."""

    revision = forms.IntegerField(
        min_value=1,
        label="Revision",
        error_messages={
            "required": "The revision the page was shown at is missing; reload the "
            "page and try again.",
            "invalid": "The revision must be a whole number.",
            "min_value": "The revision must be 1 or more.",
        },
    )
    next = forms.CharField(required=False, max_length=2000, label="Next page")


class AreaArchiveForm(ActionForm):
    """Archiving a whole area hides all its rows too, so it is confirmed first."""

    confirm = forms.BooleanField(
        label="Archive the whole area",
        error_messages={
            "required": "Confirm that the whole area, with all its rows, is to be "
            "archived."
        },
    )


class AreaRowFormSet(forms.BaseInlineFormSet):
    """Rows of one kind on the area edit page; each existing row must be the area's."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.track_changes()
        return form

    @property
    def empty_form(self):
        form = super().empty_form
        form.track_changes()
        return form

    def clean(self):
        super().clean()
        for index, form in enumerate(self.forms):
            if index < self.initial_form_count() and form.instance.pk is None:
                form.add_error(
                    None,
                    "This row is no longer part of the area. Reload the page to see "
                    "the area as it is now.",
                )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the password rules as plain text the page can escape."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )
