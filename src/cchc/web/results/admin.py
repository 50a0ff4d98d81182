"""Django admin of results: published snapshots, read-only."""

from django.contrib import admin

from cchc.web.results.models import ResultSnapshot


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(admin.ModelAdmin):
    list_display = ["cycle", "framework_id", "framework_version", "inputs_hash", "published", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
