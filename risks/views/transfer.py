"""Exports (Excel, CSV, JSON, print view, PDF) and imports (upload, preview, apply).

Exports need the Viewer role and export what the overview or area page shows:
its filters come along in the query string. Imports need the Editor role; an
upload is only checked (a dry run), and nothing changes until its preview is
confirmed.
"""

import logging
from functools import cached_property

from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView, FormView, TemplateView

from risks.exports.common import ExportScope
from risks.exports.printing import print_context
from risks.exports.responses import FORMATS, export_response
from risks.imports.files import ImportFileError
from risks.imports.services import (
    ImportAppliedError,
    ImportOutdatedError,
    import_batch_apply,
    import_batch_create,
)
from risks.models import ImportBatch, RiskArea
from risks.services import RegisterExistsError, StaleRevisionError
from risks.transfer_forms import ExportFilterForm, ImportUploadForm
from risks.views.mixins import EditorRequiredMixin, RegisterMixin, RegisterPageMixin

logger = logging.getLogger(__name__)

PREVIEW_LIMIT = 500


class ExportScopeMixin(RegisterPageMixin):
    """Reads the export's filters from the query string; bad ones get a 400."""

    @cached_property
    def areas(self):
        return list(
            RiskArea.objects.for_register(self.register).active().order_by("number")
        )

    @cached_property
    def groups(self):
        return list(dict.fromkeys(area.group for area in self.areas if area.group))

    def export_form(self):
        likelihoods, impacts, ratings, _ = self.methodology_levels
        return ExportFilterForm(
            self.request.GET or None,
            ratings=ratings,
            likelihoods=likelihoods,
            impacts=impacts,
            groups=self.groups,
            areas=self.areas,
        )

    def scope_or_error(self):
        """(scope, None) for valid filters, or (None, the 400 response)."""
        form = self.export_form()
        if form.is_bound and not form.is_valid():
            logger.warning(
                "Refused export filters for %s: %s",
                self.register.reference,
                ", ".join(sorted(form.errors)),
            )
            response = self.response_class(
                request=self.request,
                template=["risks/export_refused.html"],
                context={
                    "register": self.register,
                    "form": form,
                    "section": "overview",
                },
                status=400,
            )
            return None, response
        if not form.is_bound:
            return ExportScope.for_register(self.register), None
        return (
            ExportScope.for_register(
                self.register,
                criteria=form.criteria(),
                area_number=form.cleaned_data["area"],
                filters=form.filter_labels(),
            ),
            None,
        )


class RegisterExportView(ExportScopeMixin, TemplateView):
    """A download of the register: xlsx, csv, json or pdf."""

    def get(self, request, *args, file_format, **kwargs):
        if file_format not in FORMATS:
            raise Http404("No such export format.")
        scope, refused = self.scope_or_error()
        if refused:
            return refused
        return export_response(scope, file_format, request=request)


class RegisterPrintView(ExportScopeMixin, TemplateView):
    """The whole register on one page, in the source's order, for printing."""

    template_name = "risks/register_print.html"

    def get(self, request, *args, **kwargs):
        scope, refused = self.scope_or_error()
        if refused:
            return refused
        context = print_context(
            self.register, scope.subrisks, areas=scope.areas, filters=scope.filters
        )
        return self.render_to_response(context)


class ImportUploadView(EditorRequiredMixin, FormView):
    """Uploads a file for a new register; the check runs at once, as a dry run."""

    template_name = "risks/import_form.html"
    form_class = ImportUploadForm

    def target_register(self):
        return None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(target=self.target_register(), section="overview")
        return context

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        target = self.target_register()
        try:
            batch = import_batch_create(
                user=self.request.user,
                filename=upload.name,
                content=upload.read(),
                register=target,
            )
        except ImportFileError as error:
            logger.warning(
                "Refused an import file for %s: %d problem(s)",
                target.reference if target else "a new register",
                len(error.problems),
            )
            context = self.get_context_data(form=form, problems=error.problems)
            return self.render_to_response(context, status=400)
        return redirect("risks:import-detail", pk=batch.pk)


class RegisterImportView(RegisterMixin, ImportUploadView):
    """Uploads a file to import onto an existing register."""

    def target_register(self):
        return self.register

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["register"] = self.register
        return context


class ImportBatchView(EditorRequiredMixin, DetailView):
    """An import's preview, and its confirmation (POST), for the user who uploaded."""

    template_name = "risks/import_preview.html"
    context_object_name = "batch"

    def get_queryset(self):
        return ImportBatch.objects.filter(created_by=self.request.user).select_related(
            "register"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        batch = self.object
        preview = batch.preview
        groups = []
        for action, title in (
            ("create", "Would be created"),
            ("update", "Would be changed"),
            ("restore", "Would be restored"),
            ("archive", "Would be archived"),
        ):
            if batch.applied_at:
                title = title.replace("Would be", "Were")
            entries = [e for e in preview["entries"] if e["action"] == action]
            groups.append(
                {
                    "action": action,
                    "title": title,
                    "count": len(entries),
                    "entries": entries[:PREVIEW_LIMIT],
                    "hidden": max(len(entries) - PREVIEW_LIMIT, 0),
                }
            )
        context.update(
            preview=preview,
            groups=groups,
            has_changes=any(group["count"] for group in groups),
            register=batch.register if batch.register_id else None,
            section="overview",
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = batch = self.get_object()
        problems, status = [], 400
        try:
            import_batch_apply(batch=batch, user=request.user)
        except ImportOutdatedError as error:
            problems, status = [str(error)], 409
        except ImportAppliedError as error:
            problems, status = [str(error)], 409
        except (StaleRevisionError, RegisterExistsError) as error:
            problems, status = [str(error)], 409
        except ImportFileError as error:
            problems, status = error.problems, 400
        if problems:
            batch.refresh_from_db()
            self.object = batch
            context = self.get_context_data(object=batch, problems=problems)
            return self.render_to_response(context, status=status)
        return redirect("risks:import-detail", pk=batch.pk)
