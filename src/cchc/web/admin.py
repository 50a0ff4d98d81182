"""Django admin for administrators: units, users' roles, frameworks, cycles — with history views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc.web.accounts.models import RoleAssignment
from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment, Participation
from cchc.web.org.models import Unit, UnitLineage
from cchc.web.results.models import ResultSnapshot


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit_type", "parent", "region", "active_from", "active_to"]
    list_filter = ["unit_type", "region"]
    search_fields = ["code", "name"]


@admin.register(UnitLineage)
class UnitLineageAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "kind", "date"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "field_code"]
    list_filter = ["role"]


@admin.register(FrameworkRecord)
class FrameworkRecordAdmin(admin.ModelAdmin):
    list_display = ["framework_id", "version", "name", "created_at"]
    readonly_fields = ["data"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["unit", "submitted_at", "explained_at"]
    readonly_fields = ["submitted_at", "explained_at"]
    extra = 0


@admin.register(Cycle)
class CycleAdmin(SimpleHistoryAdmin):
    list_display = ["name", "year", "framework", "state", "self_deadline", "public"]
    readonly_fields = ["state"]
    inlines = [ParticipationInline]


@admin.register(LeafAssessment)
class LeafAssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["participation", "leaf_code", "self_points", "appraised_points", "version"]
    readonly_fields = [f.name for f in LeafAssessment._meta.fields]


@admin.register(ResultSnapshot)
class ResultSnapshotAdmin(admin.ModelAdmin):
    list_display = ["cycle", "framework_id", "framework_version", "inputs_hash", "published", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
