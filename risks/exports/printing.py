"""The print view of a register and its PDF.

The print view follows the source document: the summary (section 2), the matrix,
one section per area (section 6, each starting a new page) and the lessons
(section 7), then the glossary. The PDF is that same page, rendered by WeasyPrint
with the print stylesheet, so the browser's print and the download match.
"""

import logging
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone

from mitigations.models import Mitigation
from risks.exports.document import areas_with_content
from risks.models import Lesson, LessonSource, MatrixCell, RiskArea
from risks.views.register import factor_blocks, matrix_rows, summary_groups

logger = logging.getLogger(__name__)

PRINT_TEMPLATE = "risks/register_print.html"


def print_context(register, subrisks, *, areas=None, filters=(), exported_at=None):
    """Everything the print template shows, read in a fixed number of queries.

    When `filters` narrowed `subrisks`, the area sections list only the matching
    sub-risks, as the overview does.
    """
    methodology = register.methodology
    likelihoods = list(methodology.likelihood_levels.order_by("value"))
    impacts = list(methodology.impact_levels.order_by("value"))
    ratings = list(methodology.rating_levels.order_by("rank"))
    by_id = {rating.pk: rating for rating in ratings}
    cells = {
        (cell.likelihood_id, cell.impact_id): by_id[cell.rating_id]
        for cell in MatrixCell.objects.filter(methodology=methodology)
    }
    rows = list(
        subrisks.filter(area__register=register).select_related(
            "area", "likelihood", "impact", "rating"
        )
    )
    shown = {subrisk.pk for subrisk in rows}
    counts = Counter(subrisk.rating_id for subrisk in rows)

    area_rows = areas_with_content(register)
    if areas is not None:
        area_rows = area_rows.filter(pk__in=areas.values("pk"))
    sections = []
    for area in area_rows:
        area_subrisks = [s for s in area.subrisks.all() if s.pk in shown]
        mitigations = list(area.mitigations.all())
        sections.append(
            {
                "area": area,
                "subrisks": area_subrisks,
                "overall_rating": max(
                    (s.rating for s in area.subrisks.all()),
                    key=lambda rating: rating.rank,
                    default=None,
                ),
                "factor_blocks": factor_blocks(area.risk_factors.all()),
                "current_mitigations": [
                    m for m in mitigations if m.kind == Mitigation.Kind.CURRENT
                ],
                "proposed_mitigations": [
                    m for m in mitigations if m.kind == Mitigation.Kind.PROPOSED
                ],
            }
        )

    lessons = Lesson.objects.filter(archived_at__isnull=True).prefetch_related(
        Prefetch("related_areas", queryset=RiskArea.objects.active().order_by("number"))
    )
    sources = LessonSource.objects.filter(register=register).prefetch_related(
        Prefetch("lessons", queryset=lessons)
    )
    glossary = list(register.glossary.all())
    return {
        "register": register,
        "methodology": methodology,
        "filters": list(filters),
        "exported_at": exported_at or timezone.now(),
        "subrisks": rows,
        "summary": summary_groups(rows),
        "rating_counts": [(rating, counts[rating.pk]) for rating in ratings],
        "matrix": matrix_rows(likelihoods, impacts, cells, rows),
        "impacts": impacts,
        "sections": sections,
        "sources": sources,
        "terms": glossary,
        "glossary": {term.abbreviation: term.meaning for term in glossary},
    }


def _static_fetcher():
    """A WeasyPrint URL fetcher that reads our own static files and nothing else.

    The page links only its stylesheet; any other address (another host, a file
    path) is refused, so rendering never reaches outside the application.
    """
    from weasyprint.urls import URLFetcher

    class StaticFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            path = urlparse(url).path
            prefix = "/" + settings.STATIC_URL.lstrip("/")
            found = (
                finders.find(path[len(prefix) :]) if path.startswith(prefix) else None
            )
            if not found:
                raise ValueError(f"Not one of the application's static files: {url}")
            return super().fetch(Path(found).as_uri(), headers)

    return StaticFetcher(allowed_protocols={"file", "http", "https"})


def register_to_pdf(register, subrisks, *, areas=None, filters=(), request=None):
    """The print view of the register as PDF bytes."""
    from weasyprint import HTML

    context = print_context(register, subrisks, areas=areas, filters=filters)
    context["for_pdf"] = True
    html = render_to_string(PRINT_TEMPLATE, context, request=request)
    base_url = request.build_absolute_uri("/") if request else "http://localhost/"
    pdf = HTML(string=html, base_url=base_url, url_fetcher=_static_fetcher())
    return pdf.write_pdf()
