"""Django admin of units and their lineage, with history views (never "revert": see
:class:`cchc.web.accounts.admin.HistoryAdmin`)."""

from django.contrib import admin

from cchc.web.accounts.admin import HistoryAdmin
from cchc.web.org.models import Unit, UnitLineage


@admin.register(Unit)
class UnitAdmin(HistoryAdmin):
    list_display = ["code", "name", "unit_type", "parent", "region", "active_from", "active_to"]
    list_filter = ["unit_type", "region"]
    search_fields = ["code", "name"]


@admin.register(UnitLineage)
class UnitLineageAdmin(HistoryAdmin):
    list_display = ["predecessor", "successor", "kind", "date"]
