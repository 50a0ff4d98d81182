"""Django admin of steering, with history views (never "revert": see :class:`cchc.web.accounts.admin.HistoryAdmin`)."""

from django.contrib import admin

from cchc.web.accounts.admin import HistoryAdmin

from .models import FieldResponsibility, Meeting, Member, Observation, Plan, Proposal, Target, Task


@admin.register(Task)
class TaskAdmin(HistoryAdmin):
    list_display = ["title", "lead_unit", "deadline", "state", "plan", "criteria", "source"]
    list_filter = ["state", "source", "plan"]
    search_fields = ["title", "criteria"]
    # State changes go through cchc.steering.tasks.check_transition (task page or API), never the admin.
    readonly_fields = ["state", "completion_note", "completed_on", "cancel_reason"]


for model in (Plan, Proposal, Target, Observation, Member, FieldResponsibility, Meeting):
    admin.site.register(model, HistoryAdmin)
