from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    """One rendering of a report: parameters, progress, the files written (under DATA_DIR/reports/<id>/)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang tạo")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    kind = models.CharField(max_length=20)  # review | decision
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    files = models.JSONField(default=list)
    charts = models.JSONField(default=list)  # [{name, caption, spec}] — the report's Vega-Lite specs, shown on the page
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # last progress: a job that stops moving has lost its worker

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def thread_name(self) -> str:
        return f"report-{self.pk}"

    class Meta:
        ordering = ["-created_at", "-pk"]
