"""The complete register as a register document (docs/register-format.md).

Archived records are left out: the document is the live register, and importing
it onto the register archives whatever it does not hold. Because every list
comes out in display order, loading the document into an empty database and
exporting again gives the same document.
"""

from django.db.models import Prefetch

from mitigations.models import Mitigation
from risks.document import FORMAT, FORMAT_VERSION, methodology_to_document
from risks.models import Lesson, LessonSource, RiskArea, RiskFactor, SubRisk


def areas_with_content(register):
    """Live areas with their live sub-risks, factors, mitigations and links."""
    live_subrisks = SubRisk.objects.filter(archived_at__isnull=True).select_related(
        "likelihood", "impact", "rating"
    )
    return (
        RiskArea.objects.for_register(register)
        .active()
        .order_by("number")
        .prefetch_related(
            Prefetch("subrisks", queryset=live_subrisks.order_by("order", "key")),
            Prefetch(
                "risk_factors",
                queryset=RiskFactor.objects.filter(archived_at__isnull=True).order_by(
                    "order", "id"
                ),
            ),
            Prefetch(
                "mitigations",
                queryset=Mitigation.objects.filter(archived_at__isnull=True)
                .order_by("order", "id")
                .prefetch_related(
                    Prefetch(
                        "subrisks",
                        queryset=SubRisk.objects.filter(
                            archived_at__isnull=True
                        ).order_by("order", "key"),
                    )
                ),
            ),
            Prefetch(
                "see_also",
                queryset=RiskArea.objects.active().order_by("number"),
            ),
        )
    )


def area_to_document(area):
    """One live area with its live sub-risks, factors and mitigations."""
    return {
        "number": area.number,
        "name": area.name,
        "group": area.group,
        "statement": area.statement,
        "rating_commentary": area.rating_commentary,
        "settlement_impact": area.settlement_impact,
        "market_impact": area.market_impact,
        "see_also": [other.number for other in area.see_also.all()],
        "subrisks": [
            {
                "key": subrisk.key,
                "statement": subrisk.statement,
                "rating_label": subrisk.rating_label,
                "likelihood": subrisk.likelihood.value,
                "impact": subrisk.impact.value,
            }
            for subrisk in area.subrisks.all()
        ],
        "risk_factors": [
            {
                "key": factor.key,
                "style": factor.style,
                "lead_in": factor.lead_in,
                "text": factor.text,
            }
            for factor in area.risk_factors.all()
        ],
        "mitigations": [
            {
                "key": mitigation.key,
                "kind": mitigation.kind,
                "text": mitigation.text,
                "owner": mitigation.owner,
                "status": mitigation.status,
                "due_date": (
                    mitigation.due_date.isoformat() if mitigation.due_date else None
                ),
                "references": list(mitigation.references),
                "none_proposed": mitigation.none_proposed,
                "subrisks": [subrisk.key for subrisk in mitigation.subrisks.all()],
            }
            for mitigation in area.mitigations.all()
        ],
    }


def register_to_document(register):
    """The whole live register, methodology included, as a decoded JSON document."""
    sources = list(
        LessonSource.objects.filter(register=register).order_by("order", "key")
    )
    lessons = (
        Lesson.objects.filter(archived_at__isnull=True, source__register=register)
        .select_related("source")
        .order_by("source__order", "source__key", "number")
        .prefetch_related(
            Prefetch(
                "related_areas",
                queryset=RiskArea.objects.active().order_by("number"),
            )
        )
    )
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "register": {
            "reference": register.reference,
            "name": register.name,
            "version": register.version,
            "status": register.status,
            "effective_date": (
                register.effective_date.isoformat() if register.effective_date else None
            ),
            "approving_body": register.approving_body,
            "paper_reference": register.paper_reference,
            "description": register.description,
            "source_citation": register.source_citation,
        },
        "methodology": methodology_to_document(register.methodology),
        "areas": [area_to_document(area) for area in areas_with_content(register)],
        "lesson_sources": [
            {"key": source.key, "name": source.name} for source in sources
        ],
        "lessons": [
            {
                "source": lesson.source.key,
                "number": lesson.number,
                "problem": lesson.problem,
                "lesson": lesson.lesson,
                "related_areas": [area.number for area in lesson.related_areas.all()],
            }
            for lesson in lessons
        ],
        "glossary": [
            {"abbreviation": term.abbreviation, "meaning": term.meaning}
            for term in register.glossary.all()
        ],
    }
