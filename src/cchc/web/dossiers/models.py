from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.web.language import in_english

STEP_LABELS = {  # the steps reported by cchc.services.importer.import_file(progress=...)
    "read": _("Đang đọc tệp"),
    "validate": _("Đang kiểm tra từng dòng"),
    "derive": _("Đang tính hạn giải quyết và các quy tắc"),
    "write": _("Đang ghi vào kho dữ liệu"),
}


class DossierImport(models.Model):
    """One upload of dossier records to the store, imported after the response (the page polls its progress).

    ``path`` is the upload stored under its SHA-256 (DATA_DIR/uploads); ``result`` is
    :meth:`cchc.services.importer.ImportResult.to_dict` with the stored path replaced by ``file_name``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ")
        RUNNING = "running", _("Đang nhập")
        DONE = "done", _("Hoàn thành")
        FAILED = "failed", _("Lỗi")

    file_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    catalogue_name = models.CharField(max_length=255, blank=True)
    catalogue_path = models.CharField(max_length=500, blank=True)
    replace = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=20, blank=True)
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)  # why it failed, in English
    message_vi = models.TextField(blank=True)  # … and in Vietnamese
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def step_label(self) -> str:
        return str(STEP_LABELS.get(self.step, ""))

    @property
    def message_shown(self) -> str:
        """The failure message in the page's language (Vietnamese unless English is chosen)."""

        return self.message if in_english() else (self.message_vi or self.message)

    @property
    def thread_name(self) -> str:
        return f"dossier-import-{self.pk}"
