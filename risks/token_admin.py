"""The admin page for API tokens: create one (its key is shown once) or revoke it."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from risks.models import ApiToken
from risks.tokens import api_token_issue, api_token_revoke


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("live", "Live"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "scope",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [StatusFilter, "scope"]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope"]
        return [
            "user",
            "name",
            "scope",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        # A token's holder and scope are fixed: issue a new token to change them.
        if obj is None:
            return []
        return self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        key = api_token_issue(obj, created_by=request.user)
        messages.warning(
            request,
            f"The key of “{obj.name}” is {key} — copy it now: it is not shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = [
            api_token_revoke(token) for token in queryset.filter(revoked_at=None)
        ]
        self.message_user(
            request,
            ngettext("Revoked %d token.", "Revoked %d tokens.", len(revoked))
            % len(revoked),
            messages.SUCCESS,
        )
