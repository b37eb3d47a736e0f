from django.contrib import admin

from mitigations.models import Mitigation
from risks.admin_revisions import RevisionedAdmin


@admin.register(Mitigation)
class MitigationAdmin(RevisionedAdmin):
    list_display = ["reference", "kind", "owner", "status", "due_date", "archived_at"]
    list_filter = ["area__register", "kind", "status"]
    search_fields = ["reference", "text", "owner"]
    readonly_fields = ["reference", "key", "revision", "archived_at"]
    filter_horizontal = ["subrisks"]
