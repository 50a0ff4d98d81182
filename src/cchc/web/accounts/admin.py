"""Django admin of role assignments, with history views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc.web.accounts.models import RoleAssignment


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "unit", "field_code"]
    list_filter = ["role"]
