"""History and recovery: area and sub-risk histories, recent changes, archived records.

Reading these pages needs the Viewer role. Restoring an archived record needs the
Editor's and goes through `risks.services.record_restore`, so the history shows
who restored what.
"""

import logging
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.generic import TemplateView, View

from risks import history
from risks.forms import ChangeFilterForm, HistoryPageForm, RestoreForm
from risks.models import RiskArea, SubRisk
from risks.roles import EDIT_PERMISSION
from risks.services import StaleRevisionError, record_restore
from risks.views.archiving import find_record
from risks.views.mixins import EditorRequiredMixin, RegisterMixin, RegisterPageMixin

logger = logging.getLogger(__name__)

PER_PAGE = 50


class HistoryPageMixin(RegisterPageMixin):
    """A paginated list of changes; a bad page number is refused with a 400."""

    form_class = HistoryPageForm
    section = "changes"

    def get_form(self):
        return self.form_class(self.request.GET or None)

    def get(self, request, *args, **kwargs):
        self.form = self.get_form()
        if self.form.is_bound and not self.form.is_valid():
            logger.warning(
                "Refused history parameters for %s: %s",
                self.register.reference,
                ", ".join(sorted(self.form.errors)),
            )
            context = self.get_context_data(page_obj=None, changes=[])
            return self.render_to_response(context, status=400)
        paginator = Paginator(self.get_feed(), PER_PAGE)
        number = self.form.cleaned_data.get("page") if self.form.is_bound else None
        try:
            page = paginator.page(number or 1)
        except EmptyPage:
            raise Http404(f"There is no page {number} of these changes.") from None
        context = self.get_context_data(page_obj=page, changes=list(page))
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = self.form
        return context


class AreaMixin:
    """Loads the area named in the URL, archived or not, for its history."""

    @cached_property
    def area(self):
        areas = RiskArea.objects.for_register(self.register).select_related("register")
        return get_object_or_404(areas, number=self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["area"] = self.area
        return context


class AreaHistoryView(AreaMixin, HistoryPageMixin, TemplateView):
    """Every change of an area and of its sub-risks, factors and mitigations."""

    template_name = "risks/history_area.html"
    section = "areas"

    def get_feed(self):
        return history.area_history(area=self.area)


class SubRiskHistoryView(AreaMixin, HistoryPageMixin, TemplateView):
    """Every change of one sub-risk, rating changes highlighted."""

    template_name = "risks/history_subrisk.html"
    section = "areas"

    @cached_property
    def subrisk(self):
        return get_object_or_404(
            SubRisk.objects.select_related("rating", "area__register"),
            area=self.area,
            key=self.kwargs["key"],
        )

    def get_feed(self):
        return history.subrisk_history(subrisk=self.subrisk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subrisk"] = self.subrisk
        return context


class ChangeListView(HistoryPageMixin, TemplateView):
    """The register's recent changes, filterable by user, area and dates."""

    template_name = "risks/change_list.html"

    def get_form(self):
        return ChangeFilterForm(
            self.request.GET or None,
            users=history.change_authors(register=self.register),
            areas=RiskArea.objects.for_register(self.register).order_by("number"),
        )

    def get_feed(self):
        return history.change_list(register=self.register, **self.form.criteria())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filtered"] = any(self.form.criteria().values())
        return context


class ArchivedListView(RegisterPageMixin, TemplateView):
    """Archived records of the register, each with a restore button for Editors."""

    template_name = "risks/archived_list.html"
    section = "archived"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = history.archived_list(register=self.register)
        context.update(
            groups=groups,
            archived_count=sum(len(group.records) for group in groups),
            can_restore=self.request.user.has_perm(EDIT_PERMISSION),
        )
        return context


class RecordRestoreView(EditorRequiredMixin, RegisterMixin, View):
    """Restores one archived record (POST only) and returns to the archived list."""

    http_method_names = ["post"]
    kind = ""

    def get_record(self):
        return find_record(self.kind, self.register, self.kwargs)

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        label = history.record_label(self.kind, record)
        form = RestoreForm(request.POST)
        if not form.is_valid():
            return self.refuse(label, form.errors["revision"], status=400)

        was_archived = record.is_archived
        try:
            record_restore(
                instance=record,
                user=request.user,
                revision=form.cleaned_data["revision"],
            )
        except StaleRevisionError:
            return self.refuse(
                label,
                [
                    f"{label} has been changed by someone else since you opened the "
                    "list. Look at the list again before restoring it."
                ],
                status=409,
            )
        except ValidationError as error:
            return self.refuse(label, error.messages, status=409)

        if was_archived:
            messages.success(request, f"{label} is restored and back in the register.")
        else:
            messages.info(request, f"{label} was not archived; nothing changed.")
        return redirect("risks:archived-list", self.register.reference)

    def refuse(self, label, reasons, *, status):
        logger.warning(
            "Refused restoring %s in %s (%d)", label, self.register.reference, status
        )
        context = {
            "register": self.register,
            "section": "archived",
            "label": label,
            "reasons": reasons,
        }
        return render(
            self.request, "risks/restore_refused.html", context, status=status
        )
