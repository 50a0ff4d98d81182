"""Role assignments: who may do what, for which unit or field."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", _("Quản trị (Sở Nội vụ)")
    FOCAL = "focal", _("Đầu mối CCHC của đơn vị")
    APPRAISER = "appraiser", _("Thẩm định viên")
    APPROVER = "approver", _("Chủ tịch Hội đồng / phê duyệt")
    LEADER = "leader", _("Lãnh đạo (Ban Chỉ đạo, chỉ xem)")


class RoleAssignment(models.Model):
    """One role of one user. ``unit`` scopes focal points and appraisers; ``field_code`` scopes appraisers
    to one field (lĩnh vực) of the framework across all units."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    field_code = models.CharField(_("lĩnh vực"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit", "field_code"], name="unique_role_assignment"),
        ]

    def __str__(self) -> str:
        scope = self.unit.code if self.unit_id else (self.field_code or "*")
        return f"{self.user} · {self.get_role_display()} · {scope}"
