from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import FieldResponsibility, Meeting, Member, Observation, Plan, Proposal, Target, Task


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "lead_unit", "deadline", "state", "plan", "criteria", "source"]
    list_filter = ["state", "source", "plan"]
    search_fields = ["title", "criteria"]
    # State changes go through cchc.steering.tasks.check_transition (task page or API), never the admin.
    readonly_fields = ["state", "completion_note", "completed_on", "cancel_reason"]


for model in (Plan, Proposal, Target, Observation, Member, FieldResponsibility, Meeting):
    admin.site.register(model, SimpleHistoryAdmin)
