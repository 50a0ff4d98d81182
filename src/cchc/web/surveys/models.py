"""A survey import: the file (by its SHA-256), who and when, and either the problem report or the results."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SurveyImport(models.Model):
    """One upload of survey responses for one instrument and year.

    ``status = rejected``: the file had problems; only the problem report is kept (no file, no results).
    ``status = imported``: the file is kept under ``DATA_DIR/uploads/<sha256><ext>`` and ``result`` holds
    ``cchc.surveys.indices.compute(responses, standard_options())`` (the method preset, named once in
    :mod:`cchc.surveys.indices`), its ``method`` recording the preset's ``replicates`` and ``seed``; with
    ``skip_invalid`` the rejected rows are kept in ``rejected``.
    """

    class Status(models.TextChoices):
        IMPORTED = "imported", _("Đã nhập")
        REJECTED = "rejected", _("Không nhập (tệp có lỗi)")

    instrument = models.CharField(_("bộ câu hỏi"), max_length=100)
    instrument_version = models.CharField(max_length=40, blank=True)
    year = models.PositiveIntegerField(_("năm"))
    status = models.CharField(max_length=10, choices=Status.choices)
    skip_invalid = models.BooleanField(_("chỉ nhập các dòng hợp lệ"), default=False)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    source_format = models.CharField(max_length=40, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    n_imported = models.PositiveIntegerField(default=0)
    n_rejected = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)  # [{sheet, row, column, value, reason}]
    rejected = models.JSONField(default=list)  # [{sheet, row, values, reasons}] (skip-invalid)
    warnings = models.JSONField(default=list)
    result = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần nhập khảo sát")
        verbose_name_plural = _("các lần nhập khảo sát")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument} {self.year}"


class SurveyApplication(models.Model):
    """The survey indices of an import written into a cycle's survey leaves: what was set, what was not found."""

    survey = models.ForeignKey(SurveyImport, on_delete=models.CASCADE, related_name="applications")
    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="+")
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    applied_at = models.DateTimeField(auto_now_add=True)
    updated = models.JSONField(default=list)  # [{unit, leaf, old, new}]
    not_found = models.JSONField(default=list)  # cycle units without a survey row
    not_in_cycle = models.JSONField(default=list)  # survey rows without a unit in the cycle
    no_index = models.JSONField(default=list)  # matched units whose survey index is missing

    class Meta:
        ordering = ["-applied_at", "-pk"]
