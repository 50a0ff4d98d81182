"""Django admin of assessments: frameworks, cycles (state read-only) and leaf inputs, with history views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment, Participation


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


