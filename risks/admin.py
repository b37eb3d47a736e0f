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


class ViewOnly:
    """Shown, never changed here: a methodology changes in its editor
    (/registers/<reference>/methodology/edit/) or through the API, which save a
    new version and rate every sub-risk again; a change here would do neither,
    and `methodology_version` would no longer name the matrix behind a rating.
    """

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LikelihoodLevelInline(ViewOnly, admin.TabularInline):
    model = LikelihoodLevel


class ImpactLevelInline(ViewOnly, admin.TabularInline):
    model = ImpactLevel


class RatingLevelInline(ViewOnly, admin.TabularInline):
    model = RatingLevel


@admin.register(Methodology)
class MethodologyAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["name", "register", "version"]
    inlines = [LikelihoodLevelInline, ImpactLevelInline, RatingLevelInline]


@admin.register(LikelihoodLevel, ImpactLevel)
class ScaleLevelAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["label", "value", "methodology"]
    list_filter = ["methodology"]


@admin.register(RatingLevel)
class RatingLevelAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["name", "rank", "colour", "methodology"]
    list_filter = ["methodology"]


@admin.register(MatrixCell)
class MatrixCellAdmin(ViewOnly, SimpleHistoryAdmin):
    list_display = ["likelihood", "impact", "rating", "methodology"]
    list_filter = ["methodology", "rating"]
    list_select_related = ["likelihood", "impact", "rating", "methodology__register"]


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
