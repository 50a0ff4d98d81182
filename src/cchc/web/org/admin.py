"""Django admin of units and their lineage, with history views."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc.web.org.models import Unit, UnitLineage


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit_type", "parent", "region", "active_from", "active_to"]
    list_filter = ["unit_type", "region"]
    search_fields = ["code", "name"]


@admin.register(UnitLineage)
class UnitLineageAdmin(SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "kind", "date"]
