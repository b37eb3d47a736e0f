"""The read-only pages of a register: overview, areas, methodology, lessons, glossary.

Every page needs a login and the Viewer role's read permission. Pages read stored
ratings; none derives one.
"""

import logging
from collections import Counter, defaultdict
from functools import cached_property

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView, TemplateView

from mitigations.models import Mitigation
from risks.forms import SubRiskFilterForm
from risks.models import (
    GlossaryTerm,
    Lesson,
    LessonSource,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)
from risks.views.mixins import ReaderRequiredMixin, RegisterPageMixin

logger = logging.getLogger(__name__)


class RegisterListView(ReaderRequiredMixin, ListView):
    model = Register
    extra_context = {"section": "registers"}

    def get_queryset(self):
        return Register.objects.filter(archived_at__isnull=True)


def matrix_rows(likelihoods, impacts, cells, subrisks=None):
    """The matrix grid, most likely row first, each cell with the sub-risks in it."""
    placed = defaultdict(list)
    for subrisk in subrisks or ():
        placed[subrisk.likelihood_id, subrisk.impact_id].append(subrisk)
    return [
        {
            "likelihood": likelihood,
            "cells": [
                {
                    "impact": impact,
                    "rating": cells.get((likelihood.pk, impact.pk)),
                    "subrisks": placed[likelihood.pk, impact.pk],
                }
                for impact in impacts
            ],
        }
        for likelihood in reversed(likelihoods)
    ]


def summary_groups(subrisks):
    """Sub-risks as section 2 shows them: ungrouped areas first, then each group.

    Groups follow the number of their first area; each group holds its areas in
    number order, each area its sub-risks.
    """
    areas = {}
    for subrisk in subrisks:
        areas.setdefault(subrisk.area.number, (subrisk.area, []))[1].append(subrisk)
    groups = {"": []}
    for number in sorted(areas):
        area, rows = areas[number]
        groups.setdefault(area.group, []).append({"area": area, "subrisks": rows})
    return [{"name": name, "areas": rows} for name, rows in groups.items() if rows]


class RegisterDetailView(RegisterPageMixin, ListView):
    """The overview: section 2's summary table, counts per rating and the heat map."""

    template_name = "risks/register_detail.html"
    context_object_name = "subrisks"
    section = "overview"

    def get(self, request, *args, **kwargs):
        likelihoods, impacts, ratings, _ = self.methodology_levels
        self.form = SubRiskFilterForm(
            request.GET or None,
            ratings=ratings,
            likelihoods=likelihoods,
            impacts=impacts,
            groups=self.groups,
        )
        if self.form.is_bound and not self.form.is_valid():
            logger.warning(
                "Refused overview filters for %s: %s",
                self.register.reference,
                ", ".join(sorted(self.form.errors)),
            )
            self.object_list = []
            return self.render_to_response(self.get_context_data(), status=400)
        return super().get(request, *args, **kwargs)

    @cached_property
    def groups(self):
        """The register's named groups, in the order of their first area."""
        numbered = (
            RiskArea.objects.for_register(self.register)
            .active()
            .exclude(group="")
            .order_by("number")
            .values_list("group", flat=True)
        )
        return list(dict.fromkeys(numbered))

    def get_queryset(self):
        return (
            SubRisk.objects.for_overview()
            .for_register(self.register)
            .matching(**self.form.criteria())
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        likelihoods, impacts, ratings, cells = self.methodology_levels
        subrisks = list(self.object_list)
        counts = Counter(subrisk.rating_id for subrisk in subrisks)
        context.update(
            form=self.form,
            filtered=any(self.form.criteria().values()),
            glossary=self.glossary,
            summary=summary_groups(subrisks),
            rating_counts=[(rating, counts[rating.pk]) for rating in ratings],
            matrix=matrix_rows(likelihoods, impacts, cells, subrisks),
            impacts=impacts,
        )
        return context


def factor_blocks(factors):
    """Paragraph factors alone; consecutive bullets sharing a lead-in as one list."""
    blocks = []
    for factor in factors:
        if factor.style != RiskFactor.Style.BULLET:
            blocks.append({"paragraph": factor})
        elif (
            blocks and "items" in blocks[-1] and blocks[-1]["lead_in"] == factor.lead_in
        ):
            blocks[-1]["items"].append(factor)
        else:
            blocks.append({"lead_in": factor.lead_in, "items": [factor]})
    return blocks


class AreaDetailView(RegisterPageMixin, DetailView):
    """One area as section 6 sets it out, from its statement to related lessons."""

    template_name = "risks/area_detail.html"
    context_object_name = "area"
    section = "areas"

    def get_queryset(self):
        return RiskArea.objects.for_register(self.register).for_register_page()

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), number=self.kwargs["number"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        area = self.object
        subrisks = list(area.subrisks.all())
        mitigations = list(area.mitigations.all())
        numbers = list(
            RiskArea.objects.for_register(self.register)
            .active()
            .order_by("number")
            .values_list("number", "name")
        )
        position = [number for number, _ in numbers].index(area.number)
        context.update(
            glossary=self.glossary,
            subrisks=subrisks,
            overall_rating=max(
                (subrisk.rating for subrisk in subrisks),
                key=lambda rating: rating.rank,
                default=None,
            ),
            factor_blocks=factor_blocks(area.risk_factors.all()),
            current_mitigations=[
                m for m in mitigations if m.kind == Mitigation.Kind.CURRENT
            ],
            proposed_mitigations=[
                m for m in mitigations if m.kind == Mitigation.Kind.PROPOSED
            ],
            lessons=[lesson for lesson in area.lessons.all() if not lesson.is_archived],
            previous_area=numbers[position - 1] if position > 0 else None,
            next_area=numbers[position + 1] if position + 1 < len(numbers) else None,
        )
        return context


class MethodologyDetailView(RegisterPageMixin, TemplateView):
    """The scales, the rating levels and the matrix a register rates with."""

    template_name = "risks/methodology_detail.html"
    section = "methodology"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        likelihoods, impacts, ratings, cells = self.methodology_levels
        context.update(
            methodology=self.register.methodology,
            glossary=self.glossary,
            likelihoods=likelihoods,
            impacts=impacts,
            ratings=ratings,
            matrix=matrix_rows(likelihoods, impacts, cells),
        )
        return context


class LessonListView(RegisterPageMixin, ListView):
    """Section 7: lessons from earlier roll-outs, by source."""

    template_name = "risks/lesson_list.html"
    context_object_name = "sources"
    section = "lessons"

    def get_queryset(self):
        lessons = Lesson.objects.filter(archived_at__isnull=True).prefetch_related(
            Prefetch(
                "related_areas",
                queryset=RiskArea.objects.active().order_by("number"),
            )
        )
        return LessonSource.objects.filter(register=self.register).prefetch_related(
            Prefetch("lessons", queryset=lessons)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["glossary"] = self.glossary
        return context


class GlossaryListView(RegisterPageMixin, ListView):
    template_name = "risks/glossary_list.html"
    context_object_name = "terms"
    section = "glossary"

    def get_queryset(self):
        return GlossaryTerm.objects.filter(register=self.register)
