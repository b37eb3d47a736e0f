"""The area edit page: an area with its sub-risks, risk factors and mitigations.

One page, one save: `risks.services.area_save` writes the area and every changed
row in one transaction, so a bad row leaves everything as it was. Each row carries
its own revision; rows someone else saved in between are shown on the conflict
page beside what the editor typed.
"""

import logging

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.shortcuts import redirect
from django.views.generic import TemplateView

from mitigations.forms import MitigationRowForm
from mitigations.models import Mitigation
from risks.forms import (
    AreaForm,
    AreaRowFormSet,
    RiskFactorRowForm,
    Scales,
    SubRiskRowForm,
)
from risks.models import RiskArea, RiskFactor, SubRisk
from risks.services import RowChange, StaleRevisionsError, area_save
from risks.views.conflicts import conflict_response
from risks.views.editing import (
    CLASH,
    EditorPageMixin,
    add_service_errors,
    error_summary,
    formset_summary,
    next_order,
)

logger = logging.getLogger(__name__)

ROW_KINDS = [
    # formset prefix, what a row is called, model, row form
    ("subrisks", "sub-risk", SubRisk, SubRiskRowForm),
    ("factors", "risk factor", RiskFactor, RiskFactorRowForm),
    ("mitigations", "mitigation", Mitigation, MitigationRowForm),
]


def _formset_class(model, form):
    return forms.inlineformset_factory(
        RiskArea,
        model,
        form=form,
        # A list of its own: the inline formset adds the parent link to it.
        fields=[*form._meta.fields],
        formset=AreaRowFormSet,
        extra=1,
        can_delete=False,
    )


FORMSETS = {prefix: _formset_class(model, form) for prefix, _, model, form in ROW_KINDS}


def changed_rows(formset):
    """The formset's rows that change something, as `RowChange`s, with their forms."""
    rows, row_forms = [], []
    for index, form in enumerate(formset.forms):
        existing = index < formset.initial_form_count()
        archive = bool(form.cleaned_data.get("archive"))
        if existing:
            if not (archive or form.changed_fields()):
                continue
            fields, m2m = form.record_values()
            rows.append(
                RowChange(
                    instance=form.instance,
                    revision=form.cleaned_data["revision"],
                    fields={} if archive else fields,
                    m2m={} if archive else m2m,
                    archive=archive,
                )
            )
        else:
            if archive or not form.has_changed():
                continue
            fields, m2m = form.record_values()
            rows.append(RowChange(fields=fields, m2m=m2m))
        row_forms.append(form)
    return rows, row_forms


class AreaEditView(EditorPageMixin, TemplateView):
    """An area with its sub-risks, risk factors and mitigations, saved as one."""

    template_name = "risks/area_edit.html"

    def live_rows(self, model):
        rows = model.objects.filter(area=self.area, archived_at__isnull=True)
        if model is SubRisk:
            return rows.select_related("rating")
        if model is Mitigation:
            return rows.prefetch_related("subrisks")
        return rows

    def build(self, data=None):
        scales = Scales(self.register.methodology)
        live_subrisks = list(self.live_rows(SubRisk).select_related("area"))
        form = AreaForm(data, instance=self.area, register=self.register)
        form.track_changes()
        form_kwargs = {
            "subrisks": {"scales": scales},
            "factors": {},
            "mitigations": {"subrisks": live_subrisks},
        }
        formsets = {}
        for prefix, _, model, _ in ROW_KINDS:
            # A posted row may have been archived by someone else since the page
            # was opened: finding it among all the area's rows shows the conflict.
            queryset = self.live_rows(model)
            if data is not None:
                queryset = model.objects.filter(area=self.area)
            formsets[prefix] = FORMSETS[prefix](
                data,
                instance=self.area,
                queryset=queryset,
                prefix=prefix,
                form_kwargs=form_kwargs[prefix],
                initial=[{"order": next_order(model.objects.filter(area=self.area))}],
            )
        return form, formsets

    def render_page(self, form, formsets, status=200):
        errors = error_summary(form)
        for prefix, noun, _, _ in ROW_KINDS:
            errors += formset_summary(formsets[prefix], noun)
        context = self.get_context_data(
            area=self.area,
            form=form,
            errors=errors,
            groups=[
                {"formset": formsets[prefix], "noun": noun, "prefix": prefix}
                for prefix, noun, _, _ in ROW_KINDS
            ],
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render_page(*self.build())

    def post(self, request, *args, **kwargs):
        form, formsets = self.build(request.POST)
        valid = all([form.is_valid()] + [f.is_valid() for f in formsets.values()])
        for row in formsets["subrisks"].forms:
            if row.has_changed() or row.instance.pk:
                row.preview()
        if "preview" in request.POST or not valid:
            return self.render_page(form, formsets, status=200 if valid else 400)

        fields, m2m = form.record_values() if form.changed_fields() else ({}, {})
        rows = {prefix: changed_rows(formsets[prefix]) for prefix in formsets}
        try:
            area_save(
                area=self.area,
                user=request.user,
                revision=form.cleaned_data["revision"],
                fields=fields,
                m2m=m2m,
                **{prefix: changes for prefix, (changes, _) in rows.items()},
            )
        except StaleRevisionsError as error:
            forms_by_record = {(RiskArea, self.area.pk): form} | {
                (type(row_form.instance), row_form.instance.pk): row_form
                for _, row_forms in rows.values()
                for row_form in row_forms
            }
            stale = [
                (record, forms_by_record[type(record), record.pk])
                for record in error.stale
            ]
            return conflict_response(
                request, stale=stale, register=self.register, reload_url=request.path
            )
        except ValidationError as error:
            self.place_errors(error, form, rows)
            return self.render_page(form, formsets, status=400)
        except IntegrityError:
            logger.warning("Save of area %s refused by a constraint", self.area)
            form.add_error(None, CLASH)
            return self.render_page(form, formsets, status=409)

        messages.success(request, f"Saved risk area {self.area.number}.")
        return redirect(self.area.get_absolute_url())

    @staticmethod
    def place_errors(error, form, rows):
        """Puts `area_save` errors (keys like `subrisks.0.statement`) on the forms."""
        area_errors = {}
        for key, messages_ in error.message_dict.items():
            prefix, _, rest = key.partition(".")
            if prefix not in rows:
                area_errors[key] = messages_
                continue
            index, _, name = rest.partition(".")
            row_form = rows[prefix][1][int(index)]
            add_service_errors(
                row_form, ValidationError({name or NON_FIELD_ERRORS: messages_})
            )
        if area_errors:
            add_service_errors(form, ValidationError(area_errors))
