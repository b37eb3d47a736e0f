"""The admin's share of the lost-update guard that the pages and the API keep.

Every other way to change a record checks the revision it was read at and
raises it by one. The admin's change form does the same: it carries the
revision it was opened at, refuses to save over a change made since, and raises
the revision, so a write based on the older one, from any client, is refused.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from risks.services import StaleRevisionError, checked_for_write


class RevisionCheckedForm(forms.ModelForm):
    opened_revision = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            field = self.fields["opened_revision"]
            field.required = True
            field.initial = self.instance.revision

    def clean(self):
        cleaned = super().clean()
        opened = cleaned.get("opened_revision")
        if self.instance.pk is None or opened is None or not self.has_changed():
            return cleaned
        # The admin saves in one transaction, so the row stays locked until then.
        try:
            checked_for_write(self.instance, opened)
        except StaleRevisionError as error:
            raise ValidationError(
                f"{error} Open it again to see that change, then make yours.",
                code="stale",
            ) from None
        self.instance.revision = opened + 1
        return cleaned


class _RevisionFieldShown:
    """Renders the form's revision field even where `fields` lists the others."""

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "opened_revision" not in fields:
            fields.append("opened_revision")
        return fields


class RevisionedAdmin(_RevisionFieldShown, SimpleHistoryAdmin):
    """A history-keeping admin whose change form checks and raises the revision.

    Records are not deleted here: archiving them (on the pages or through the
    API) keeps them for restoring and tells syncing systems, through
    `/api/v1/ratings/removed/`, that they went; deleting a row would do neither,
    and would free its reference for a different record.
    """

    form = RevisionCheckedForm

    def has_delete_permission(self, request, obj=None):
        return False


class RevisionedStackedInline(_RevisionFieldShown, admin.StackedInline):
    form = RevisionCheckedForm
    can_delete = False
