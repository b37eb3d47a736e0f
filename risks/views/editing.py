"""The Editor's pages: create and edit what a register holds, one record at a time.

Every page and action needs the Editor role on GET and POST alike; anyone else gets
403. Views validate forms and call `risks.services`, nothing more. A save based on
an older revision than the stored one shows the conflict page (`conflicts`). The
area edit page is in `area_edit`, the archive buttons in `archiving`.
"""

import logging
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView, View

from risks.forms import (
    AreaCreateForm,
    LessonCreateForm,
    LessonForm,
    RatingPreviewForm,
    RiskFactorForm,
    Scales,
    SubRiskForm,
)
from risks.models import Lesson, RiskArea, RiskFactor, SubRisk
from risks.rating import MatrixIncompleteError, rating_for
from risks.services import (
    StaleRevisionError,
    record_create,
    record_update,
)
from risks.views.conflicts import conflict_response
from risks.views.mixins import EditorRequiredMixin, RegisterMixin

logger = logging.getLogger(__name__)

CLASH = (
    "Someone saved a clashing change at the same moment, so nothing was saved. "
    "Check the values and save again."
)


class EditorPageMixin(EditorRequiredMixin, RegisterMixin):
    """A page that changes a register: Editors only, on every method."""

    permission_denied_message = (
        "Changing a register needs the Editor role. Ask an administrator if you "
        "should have it."
    )

    @cached_property
    def area(self):
        """The live area named in the URL (404 if unknown or archived)."""
        return get_object_or_404(
            RiskArea.objects.for_register(self.register).active(),
            number=self.kwargs["number"],
        )


# ---- Errors ------------------------------------------------------------------


def error_summary(form, title=""):
    """Each error of a form as a link to its field, naming the field."""
    items = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            label, anchor = "", form.prefix or "form"
        else:
            field = form[name]
            label = field.label
            anchor = field.id_for_label if not field.is_hidden else form.prefix
        for message in errors:
            text = f"{label}: {message}" if label else message
            items.append(
                {
                    "anchor": anchor or "form",
                    "text": f"{title}{text}" if title else text,
                }
            )
    return items


def formset_summary(formset, noun):
    items = [
        {"anchor": formset.prefix, "text": f"{noun.capitalize()}s: {message}"}
        for message in formset.non_form_errors()
    ]
    for index, form in enumerate(formset.forms, start=1):
        if form.errors:
            name = row_name(form, noun, index)
            items += error_summary(form, title=f"{name} – ")
    return items


def row_name(form, noun, index):
    if form.instance.pk and getattr(form.instance, "key", ""):
        return f"{noun.capitalize()} {form.instance.key}"
    return f"New {noun} (row {index})"


def add_service_errors(form, error):
    """Puts a service's `ValidationError` on the form, beside the fields it names."""
    details = error.message_dict if hasattr(error, "error_dict") else {}
    if not details:
        details = {NON_FIELD_ERRORS: error.messages}
    for name, messages_ in details.items():
        for message in messages_:
            if name in form.fields:
                form.add_error(name, message)
            elif name == NON_FIELD_ERRORS:
                form.add_error(None, message)
            else:
                form.add_error(
                    None, f"{name.replace('_', ' ').capitalize()}: {message}"
                )


# ---- One record at a time ------------------------------------------------------


class RecordFormView(EditorPageMixin, TemplateView):
    """Creates (no object) or edits one record through its form and the services."""

    model = None
    form_class = None
    noun = ""

    def get_object(self):
        return None

    def new_instance(self):
        return self.model()

    def parent_fields(self):
        """Fields a new record takes from the URL rather than the form."""
        return {}

    def get_form_kwargs(self):
        return {}

    def get_form(self, data=None):
        instance = self.object if self.object is not None else self.new_instance()
        return self.form_class(data, instance=instance, **self.get_form_kwargs())

    def get_heading(self):
        if self.object is None:
            return f"Add a {self.noun}"
        return f"Edit {self.noun} {self.object.reference}"

    def get_cancel_url(self):
        return self.area.get_absolute_url()

    def get_success_url(self, record):
        return record.get_absolute_url()

    def render_form(self, form, status=200):
        context = self.get_context_data(
            form=form,
            object=self.object,
            heading=self.get_heading(),
            errors=error_summary(form),
            cancel_url=self.get_cancel_url(),
        )
        return self.render_to_response(context, status=status)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_form(self.get_form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form(request.POST)
        valid = form.is_valid()
        if hasattr(form, "preview"):
            form.preview()
            if "preview" in request.POST:
                ok = form.preview_rating is not None
                return self.render_form(form, status=200 if ok else 400)
        if not valid:
            return self.render_form(form, status=400)

        fields, m2m = form.record_values()
        try:
            record = self.save(form, fields, m2m)
        except StaleRevisionError as error:
            return conflict_response(
                request,
                stale=[(error.current, form)],
                register=self.register,
                reload_url=request.path,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_form(form, status=400)
        except IntegrityError:
            logger.warning("Save of a %s refused by a constraint", self.noun)
            form.add_error(None, CLASH)
            return self.render_form(form, status=409)

        verb = "Added" if self.object is None else "Saved"
        messages.success(request, f"{verb} {self.noun} {record.reference}.")
        return redirect(self.get_success_url(record))

    def save(self, form, fields, m2m):
        user = self.request.user
        if self.object is None:
            return record_create(
                model=self.model,
                user=user,
                fields={**fields, **self.parent_fields()},
                m2m=m2m,
            )
        return record_update(
            instance=self.object,
            user=user,
            revision=form.cleaned_data["revision"],
            fields=fields,
            m2m=m2m,
        )


def next_order(queryset):
    """One more than the highest order among the rows, so a new row goes last."""
    return (queryset.aggregate(top=Max("order"))["top"] or 0) + 1


class AreaCreateView(RecordFormView):
    model = RiskArea
    form_class = AreaCreateForm
    noun = "risk area"
    template_name = "risks/riskarea_form.html"

    def new_instance(self):
        top = RiskArea.objects.for_register(self.register).aggregate(top=Max("number"))[
            "top"
        ]
        return RiskArea(register=self.register, number=(top or 0) + 1)

    def parent_fields(self):
        return {"register": self.register}

    def get_form_kwargs(self):
        return {"register": self.register}

    def get_cancel_url(self):
        return self.register.get_absolute_url()


class AreaRecordMixin:
    """A record of the area in the URL: a sub-risk, risk factor or mitigation."""

    def get_object(self):
        if "key" not in self.kwargs:
            return None
        return get_object_or_404(
            self.model.objects.filter(area=self.area, archived_at__isnull=True),
            key=self.kwargs["key"],
        )

    def new_instance(self):
        rows = self.model.objects.filter(area=self.area)
        return self.model(area=self.area, order=next_order(rows))

    def parent_fields(self):
        return {"area": self.area}

    def get_context_data(self, **kwargs):
        return super().get_context_data(area=self.area, **kwargs)


class SubRiskFormView(AreaRecordMixin, RecordFormView):
    model = SubRisk
    form_class = SubRiskForm
    noun = "sub-risk"
    template_name = "risks/subrisk_form.html"

    def get_form_kwargs(self):
        return {"scales": Scales(self.register.methodology)}


class RiskFactorFormView(AreaRecordMixin, RecordFormView):
    model = RiskFactor
    form_class = RiskFactorForm
    noun = "risk factor"
    template_name = "risks/riskfactor_form.html"

    def get_success_url(self, record):
        return f"{self.area.get_absolute_url()}#factor-{record.key}"


class LessonFormView(RecordFormView):
    model = Lesson
    noun = "lesson"
    template_name = "risks/lesson_form.html"

    @property
    def form_class(self):
        return LessonCreateForm if self.object is None else LessonForm

    def get_object(self):
        if "source" not in self.kwargs:
            return None
        # Limitation: lessons are read with a plain queryset, because their model
        # has no queryset class of its own.
        return get_object_or_404(
            Lesson.objects.filter(
                source__register=self.register,
                source__key=self.kwargs["source"],
                archived_at__isnull=True,
            ).select_related("source"),
            number=self.kwargs["number"],
        )

    def get_form_kwargs(self):
        return {"register": self.register}

    def get_cancel_url(self):
        return lesson_list_url(self.register)

    def get_success_url(self, record):
        return lesson_url(record)


def lesson_list_url(register):
    return reverse("risks:lesson-list", args=[register.reference])


def lesson_url(lesson):
    """A lesson's row on the lessons page."""
    source = lesson.source
    return f"{lesson_list_url(source.register)}#lesson-{source.key}-{lesson.number}"


# ---- Rating preview ------------------------------------------------------------


class RatingPreviewView(EditorPageMixin, View):
    """The rating a likelihood and impact get in the register's matrix, as JSON.

    The edit pages call it as the editor picks levels; the rating itself comes from
    `risks.rating`, as it does when the sub-risk is saved.
    """

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        form = RatingPreviewForm(request.GET, scales=Scales(self.register.methodology))
        if not form.is_valid():
            return JsonResponse({"errors": _json_errors(form)}, status=400)
        likelihood = form.cleaned_data["likelihood"]
        impact = form.cleaned_data["impact"]
        try:
            rating = rating_for(likelihood=likelihood, impact=impact)
        except MatrixIncompleteError as error:
            return JsonResponse({"errors": {"impact": [str(error)]}}, status=400)
        return JsonResponse(
            {
                "likelihood": {"value": likelihood.value, "label": likelihood.label},
                "impact": {"value": impact.value, "label": impact.label},
                "rating": {
                    "name": rating.name,
                    "rank": rating.rank,
                    "colour": rating.colour,
                    "text_colour": rating.text_colour,
                },
            }
        )


def _json_errors(form):
    return {
        name: [f"{form.fields[name].label}: {message}" for message in errors]
        for name, errors in form.errors.items()
    }
