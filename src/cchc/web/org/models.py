"""Units (đơn vị) and their lineage (renames, merges, splits)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitType(models.TextChoices):
    PROVINCE = "province", _("Tỉnh")
    DEPARTMENT = "department", _("Sở")
    BOARD = "board", _("Ban, ngành")
    COMMUNE = "commune", _("Xã")
    WARD = "ward", _("Phường")
    SPECIAL_ZONE = "special-zone", _("Đặc khu")
    OTHER = "other", _("Khác")


class Unit(models.Model):
    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    unit_type = models.CharField(_("loại đơn vị"), max_length=20, choices=UnitType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    region = models.CharField(_("khu vực"), max_length=100, blank=True)
    active_from = models.PositiveIntegerField(_("hoạt động từ năm"), null=True, blank=True)
    active_to = models.PositiveIntegerField(_("hoạt động đến năm"), null=True, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit_type", "name"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def active_in(self, year: int) -> bool:
        return (self.active_from is None or self.active_from <= year) and (
            self.active_to is None or year <= self.active_to
        )


class LineageKind(models.TextChoices):
    RENAME = "rename", _("Đổi tên")
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")


class UnitLineage(models.Model):
    """``predecessor`` became (part of) ``successor`` on ``date``."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="predecessor_links")
    kind = models.CharField(_("loại"), max_length=10, choices=LineageKind.choices)
    date = models.DateField(_("ngày hiệu lực"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("lịch sử đơn vị")
        verbose_name_plural = _("lịch sử đơn vị")

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code} ({self.kind}, {self.date})"
