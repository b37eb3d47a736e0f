"""The conflict page: what someone else saved beside what the editor typed.

A write based on an older revision is refused by the services. The page then lists
each record that changed, field by field, and offers two ways on: keep mine posts
the editor's values again, now against the current revisions; take theirs reloads
the form with what is stored.
"""

import datetime
import logging

from django.db import models
from django.shortcuts import render
from django.utils.formats import date_format

logger = logging.getLogger(__name__)

EMPTY = "—"
SKIPPED_KEYS = {"csrfmiddlewaretoken", "preview"}


def display(value, model_field=None):
    """A stored or typed value as the conflict table shows it."""
    if model_field is not None and model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(value, models.QuerySet | list | tuple):
        return ", ".join(str(item) for item in value) or EMPTY
    return str(value)


def _stored_value(record, name):
    model_field = record._meta.get_field(name)
    value = getattr(record, name)
    if model_field.many_to_many:
        value = list(value.all())
    return display(value, model_field)


def _form_value(form, name, value):
    model_field = form._meta.model._meta.get_field(name)
    if model_field.many_to_many:
        value = list(value or ())
    return display(value, model_field)


# What "keep mine" does with a field, as the conflict table says it in words.
OUTCOMES = {
    "both": "changed by both: yours is saved",
    "theirs": "kept: theirs",
    "mine": "yours is saved",
    "differs": "differs",
}


def _outcome(form, name, theirs, mine):
    """Who changed the field since the page was shown: both, theirs, mine or ""."""
    if not form.tracks_changes():
        return "differs" if theirs != mine else ""
    shown = _form_value(form, name, form.shown_value(name))
    mine_changed = name in form.changed_fields()
    theirs_changed = theirs != shown
    if mine_changed and theirs_changed:
        return "both" if theirs != mine else ""
    if theirs_changed:
        return "theirs"
    return "mine" if mine_changed else ""


def compare(record, form):
    """Rows of field label, stored value and typed value, for one stale record.

    For a form that posts the values it was shown with, each row also says what
    "keep mine" does: fields only someone else changed keep their value, fields
    both changed are the real conflicts."""
    rows = []
    if form is None:
        return rows
    if form.cleaned_data.get("archive"):
        rows.append(
            {
                "label": "Archive",
                "theirs": "No",
                "mine": "Yes",
                "differs": True,
                "outcome": "differs",
                "outcome_text": "differs",
            }
        )
    for name in form.record_field_names():
        theirs = _stored_value(record, name)
        mine = _form_value(form, name, form.cleaned_data.get(name))
        outcome = _outcome(form, name, theirs, mine)
        rows.append(
            {
                "label": form.fields[name].label,
                "theirs": theirs,
                "mine": mine,
                "differs": outcome in ("both", "differs"),
                "outcome": outcome,
                "outcome_text": OUTCOMES.get(outcome, ""),
            }
        )
    return rows


def record_title(record):
    return f"{record._meta.verbose_name.capitalize()} {record.reference}"


def conflict_response(request, *, stale, register, reload_url, context=None):
    """Renders the conflict page (409) for `stale`, a list of (record, form).

    `form` is the bound, valid form whose save was refused, or None for an action
    such as archiving; its revision field is what the resubmitted data updates.
    """
    data = request.POST.copy()
    records = []
    for record, form in stale:
        last = record.history.select_related("history_user").first()
        if form is not None:
            data[form.add_prefix("revision")] = str(record.revision)
        else:
            data["revision"] = str(record.revision)
        records.append(
            {
                "title": record_title(record),
                "changed_by": last.history_user if last else None,
                "changed_at": last.history_date if last else None,
                "archived": record.archived_at is not None,
                "rows": compare(record, form),
            }
        )
    logger.info(
        "Refused a save over newer changes to %d record(s): %s",
        len(stale),
        ", ".join(record.reference for record, _ in stale),
    )
    hidden = [
        (key, value)
        for key in data
        if key not in SKIPPED_KEYS
        for value in data.getlist(key)
    ]
    return render(
        request,
        "risks/conflict.html",
        {
            "register": register,
            "records": records,
            "merged": all(
                form is not None and form.tracks_changes() for _, form in stale
            ),
            "hidden": hidden,
            "resubmit_url": request.get_full_path(),
            "reload_url": reload_url,
            **(context or {}),
        },
        status=409,
    )
