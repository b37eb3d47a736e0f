from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from risks import token_admin  # noqa: F401 - registers the API token admin
from risks.admin_revisions import RevisionedAdmin, RevisionedStackedInline
from risks.models import (
    GlossaryTerm,
    ImpactLevel,
    Lesson,
    LessonSource,
    LikelihoodLevel,
    MatrixCell,
    Methodology,
    RatingLevel,
    Register,
    RiskArea,
    RiskFactor,
    SubRisk,
)


@admin.register(Register)
class RegisterAdmin(RevisionedAdmin):
    list_display = ["reference", "name", "version", "status", "effective_date"]
    list_filter = ["status"]
    search_fields = ["reference", "name"]
    readonly_fields = ["revision", "created_at", "updated_at", "archived_at"]


class LikelihoodLevelInline(admin.TabularInline):
    model = LikelihoodLevel
    extra = 0


class ImpactLevelInline(admin.TabularInline):
    model = ImpactLevel
    extra = 0


class RatingLevelInline(admin.TabularInline):
    model = RatingLevel
    extra = 0


@admin.register(Methodology)
class MethodologyAdmin(RevisionedAdmin):
    list_display = ["name", "register", "version"]
    readonly_fields = ["version", "revision"]
    inlines = [LikelihoodLevelInline, ImpactLevelInline, RatingLevelInline]


@admin.register(LikelihoodLevel, ImpactLevel)
class ScaleLevelAdmin(SimpleHistoryAdmin):
    list_display = ["label", "value", "methodology"]
    list_filter = ["methodology"]


@admin.register(RatingLevel)
class RatingLevelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "rank", "colour", "methodology"]
    list_filter = ["methodology"]


@admin.register(MatrixCell)
class MatrixCellAdmin(SimpleHistoryAdmin):
    list_display = ["likelihood", "impact", "rating", "methodology"]
    list_filter = ["methodology", "rating"]
    list_select_related = ["likelihood", "impact", "rating", "methodology__register"]

    def has_add_permission(self, request):
        # Cells are created with their methodology, one per pair, never by hand.
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["methodology", "likelihood", "impact"]


class SubRiskInline(RevisionedStackedInline):
    model = SubRisk
    extra = 0
    fields = ["order", "statement", "rating_label", "likelihood", "impact", "rating"]
    readonly_fields = ["rating"]


@admin.register(RiskArea)
class RiskAreaAdmin(RevisionedAdmin):
    list_display = ["reference", "name", "group", "register", "archived_at"]
    list_filter = ["register", "group"]
    search_fields = ["reference", "name", "statement"]
    readonly_fields = ["reference", "revision", "archived_at"]
    filter_horizontal = ["see_also"]
    inlines = [SubRiskInline]


@admin.register(SubRisk)
class SubRiskAdmin(RevisionedAdmin):
    list_display = ["reference", "likelihood", "impact", "rating", "archived_at"]
    list_filter = ["area__register", "rating__name"]
    list_select_related = ["likelihood", "impact", "rating"]
    search_fields = ["reference", "statement"]
    readonly_fields = [
        "reference",
        "key",
        "rating",
        "methodology_version",
        "revision",
        "archived_at",
    ]


@admin.register(RiskFactor)
class RiskFactorAdmin(RevisionedAdmin):
    list_display = ["reference", "style", "order", "archived_at"]
    list_filter = ["area__register", "style"]
    search_fields = ["reference", "text"]
    readonly_fields = ["reference", "key", "revision", "archived_at"]


@admin.register(LessonSource)
class LessonSourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "key", "register", "order"]


@admin.register(Lesson)
class LessonAdmin(RevisionedAdmin):
    list_display = ["reference", "source", "number", "archived_at"]
    list_filter = ["source"]
    search_fields = ["reference", "problem", "lesson"]
    readonly_fields = ["reference", "revision", "archived_at"]
    filter_horizontal = ["related_areas"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(RevisionedAdmin):
    list_display = ["abbreviation", "meaning", "register"]
    list_filter = ["register"]
    search_fields = ["abbreviation", "meaning"]
    readonly_fields = ["reference", "revision"]
