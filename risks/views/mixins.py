"""What every page of the app shares: role checks and the register in the URL."""

from functools import cached_property

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import get_object_or_404

from risks.models import GlossaryTerm, MatrixCell, Register
from risks.roles import EDIT_PERMISSION, METHODOLOGY_PERMISSION, READ_PERMISSION


class ReaderRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Sends anonymous visitors to log in and refuses users without a role (403)."""

    permission_required = READ_PERMISSION


class EditorRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Refuses users without the Editor role (403), on GET and POST alike."""

    permission_required = EDIT_PERMISSION


class MethodologyAdminRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = METHODOLOGY_PERMISSION


class RegisterMixin:
    """Loads the register named in the URL (404 if unknown or archived)."""

    section = ""

    @cached_property
    def register(self):
        return get_object_or_404(
            Register.objects.filter(archived_at__isnull=True).select_related(
                "methodology"
            ),
            reference=self.kwargs["reference"],
        )

    @cached_property
    def glossary(self):
        """Abbreviation to meaning, read once for all the page's narrative text."""
        return dict(
            GlossaryTerm.objects.filter(register=self.register).values_list(
                "abbreviation", "meaning"
            )
        )

    @cached_property
    def methodology_levels(self):
        """The likelihood, impact and rating levels, and the matrix as rows."""
        methodology = self.register.methodology
        likelihoods = list(methodology.likelihood_levels.all())
        impacts = list(methodology.impact_levels.all())
        ratings = list(methodology.rating_levels.all())
        ratings_by_id = {rating.pk: rating for rating in ratings}
        cells = {
            (cell.likelihood_id, cell.impact_id): ratings_by_id[cell.rating_id]
            for cell in MatrixCell.objects.filter(methodology=methodology)
        }
        return likelihoods, impacts, ratings, cells

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(register=self.register, section=self.section)
        return context


class RegisterPageMixin(ReaderRequiredMixin, RegisterMixin):
    """A read-only page of one register."""
