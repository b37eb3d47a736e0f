"""Archiving: the archive buttons of the edit pages POST here, for every kind of record.

Archiving hides a record from the register and keeps it, with its history; the
archived records page (`risks.views.history`) lists them and restores them.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import View

from mitigations.models import Mitigation
from risks.forms import ActionForm, AreaArchiveForm
from risks.models import Lesson, RiskArea, RiskFactor, SubRisk
from risks.services import StaleRevisionError, record_archive
from risks.views.conflicts import conflict_response
from risks.views.editing import EditorPageMixin, error_summary, lesson_url


def find_record(entity, register, kwargs):
    """The record of any state named by an action's URL, in a live register."""
    if entity == "area":
        return get_object_or_404(
            RiskArea.objects.for_register(register), number=kwargs["number"]
        )
    if entity == "lesson":
        return get_object_or_404(
            Lesson.objects.filter(
                source__register=register, source__key=kwargs["source"]
            ).select_related("source"),
            number=kwargs["number"],
        )
    model = {"subrisk": SubRisk, "factor": RiskFactor, "mitigation": Mitigation}[entity]
    return get_object_or_404(
        model.objects.filter(
            area__register=register, area__number=kwargs["number"]
        ).select_related("area"),
        key=kwargs["key"],
    )


def record_page(record):
    """Where a record is shown: its area's page, the lessons or the overview."""
    if isinstance(record, Lesson):
        return lesson_url(record)
    if isinstance(record, RiskArea):
        if record.is_archived:
            return record.register.get_absolute_url()
        return record.get_absolute_url()
    if record.area.is_archived:
        return record.area.register.get_absolute_url()
    anchor = {SubRisk: "subrisk", RiskFactor: "factor", Mitigation: "mitigation"}
    return f"{record.area.get_absolute_url()}#{anchor[type(record)]}-{record.key}"


class RecordArchiveView(EditorPageMixin, View):
    """An archive button's POST: hides one record from the register, keeping it."""

    http_method_names = ["get", "post"]
    entity = ""

    def get(self, request, *args, **kwargs):
        """Asks to confirm archiving an area; other records archive in one step."""
        if self.entity != "area":
            return self.http_method_not_allowed(request, *args, **kwargs)
        area = find_record(self.entity, self.register, self.kwargs)
        return render(
            request,
            "risks/archive_confirm.html",
            {"register": self.register, "area": area, "back_url": record_page(area)},
        )

    def post(self, request, *args, **kwargs):
        record = find_record(self.entity, self.register, self.kwargs)
        form = (AreaArchiveForm if self.entity == "area" else ActionForm)(request.POST)
        if not form.is_valid():
            return action_refused(request, self.register, form, record_page(record))
        next_url = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}
        ):
            next_url = ""
        was_archived = record.is_archived

        try:
            record = record_archive(
                instance=record,
                user=request.user,
                revision=form.cleaned_data["revision"],
            )
        except StaleRevisionError as error:
            return conflict_response(
                request,
                stale=[(error.current, None)],
                register=self.register,
                reload_url=next_url or record_page(error.current),
                context={"action": "archive"},
            )

        title = f"{record._meta.verbose_name.capitalize()} {record.reference}"
        if was_archived:
            messages.info(request, f"{title} was archived already; nothing changed.")
        else:
            messages.success(
                request,
                f"{title} is archived. It is kept with its history, and an Editor "
                "can restore it from the archived records.",
            )
        return redirect(next_url or record_page(record))


def action_refused(request, register, form, back_url, status=400):
    return render(
        request,
        "risks/action_refused.html",
        {"register": register, "errors": error_summary(form), "back_url": back_url},
        status=status,
    )
