"""Django admin of assessments: frameworks, cycles and leaf inputs, with history views (never "revert").

Published is final here too (docs/decisions/0009-web-application.md, "Published is final"): the state is never
written by the admin (only :func:`cchc.web.assessments.workflow.transition` writes it), the framework of a started
cycle is read-only, a published cycle with its participations and assessments is read-only, and nothing of a
started cycle is deleted (its cycle, participations, assessments, and with them their evidence), neither from its
page nor by the "delete selected" action."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from cchc.web.accounts.admin import HistoryAdmin
from cchc.web.assessments.models import Cycle, FrameworkRecord, LeafAssessment, Participation, State


def _started(cycle) -> bool:
    return cycle is not None and cycle.state != State.DRAFT


def _published(cycle) -> bool:
    return cycle is not None and cycle.state == State.PUBLISHED


class GuardedDelete:
    """No "delete selected" for the guarded rows: each row's delete is asked of ``has_delete_permission``."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_queryset(self, request, queryset):
        if any(not self.has_delete_permission(request, obj) for obj in queryset):
            raise PermissionDenied
        super().delete_queryset(request, queryset)


@admin.register(FrameworkRecord)
class FrameworkRecordAdmin(GuardedDelete, admin.ModelAdmin):
    list_display = ["framework_id", "version", "name", "created_at"]
    readonly_fields = ["data"]

    def _in_use(self, obj) -> bool:
        return obj is not None and obj.cycle_set.exclude(state=State.DRAFT).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)


class ParticipationInline(admin.TabularInline):
    """The units of a draft cycle; fixed once the cycle has started (their data and history hang on them)."""

    model = Participation
    fields = ["unit", "submitted_at", "explained_at"]
    readonly_fields = ["submitted_at", "explained_at"]
    extra = 0

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not _started(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _started(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _started(obj)


@admin.register(Cycle)
class CycleAdmin(GuardedDelete, HistoryAdmin):
    list_display = ["name", "year", "framework", "state", "self_deadline", "public"]
    readonly_fields = ["state"]
    inlines = [ParticipationInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if _started(obj):
            fields.append("framework")
        return fields

    def has_change_permission(self, request, obj=None):
        # a published cycle's name and public flag change on its page, with the reason kept in its history
        return super().has_change_permission(request, obj) and not _published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _started(obj)

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Only the columns of the form, on the state as it is now (locked): the state is the workflow's, and a
        # transition made while the page was open is neither undone nor recorded as undone in the history.
        obj.state = Cycle.objects.select_for_update().values_list("state", flat=True).get(pk=obj.pk)
        names = {f.name for f in Cycle._meta.concrete_fields} - {"state", "id"}
        fields = [name for name in form.cleaned_data if name in names]
        if _started(obj):
            fields = [name for name in fields if name != "framework"]
        if _published(obj):
            raise PermissionDenied
        obj._history_user = request.user
        obj.save(update_fields=fields)
        return None


@admin.register(LeafAssessment)
class LeafAssessmentAdmin(GuardedDelete, HistoryAdmin):
    list_display = ["participation", "leaf_code", "self_points", "appraised_points", "version"]
    readonly_fields = [f.name for f in LeafAssessment._meta.fields]

    def _cycle(self, obj):
        return obj.participation.cycle if obj is not None else None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not _published(self._cycle(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not _started(self._cycle(obj))
