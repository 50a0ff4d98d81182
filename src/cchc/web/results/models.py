"""Result snapshots: what the core computed for a cycle, with the framework version and an inputs hash.

A snapshot taken at publication is immutable: saving or deleting it again raises
:class:`ImmutableResult`. :func:`cchc.web.results.services.verify_snapshot` re-scores the stored inputs with the
snapshot's framework record (:meth:`ResultSnapshot.framework_record`) and must give the same numbers years later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cchc.web.assessments.models import FrameworkRecord
from cchc.web.errors import Conflict


class ImmutableResult(Conflict):
    """Published results cannot be changed."""


class ResultSnapshot(models.Model):
    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.PROTECT, related_name="snapshots")
    framework_id = models.CharField(max_length=100)
    framework_version = models.CharField(max_length=40)
    inputs_hash = models.CharField(_("mã băm dữ liệu đầu vào (SHA-256)"), max_length=64)
    inputs = models.JSONField()
    results = models.JSONField()
    published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle"], condition=models.Q(published=True), name="one_published_snapshot_per_cycle"
            )
        ]
        # A published snapshot's identity (pk, inputs hash, created at) is read on every results page, from this
        # index alone: in SQLite, created_at lies behind the large JSON columns and reading it from the table
        # walks about a megabyte of overflow pages. SQLite picks this index for ``published IN (true)``, while
        # ``published = true`` gets the unique partial index above (see cchc.web.results.services.published_key).
        indexes = [
            models.Index(fields=["cycle", "published", "inputs_hash", "created_at"], name="snapshot_identity"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.inputs_hash[:12]}"

    def save(self, *args, **kwargs):
        if self.pk and ResultSnapshot.objects.filter(pk=self.pk, published=True).exists():
            raise ImmutableResult("published results are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.published:
            raise ImmutableResult("published results are immutable")
        return super().delete(*args, **kwargs)

    def framework_record(self) -> FrameworkRecord:
        """The framework record the snapshot was computed with (its framework id and version); its
        ``.framework`` scores the stored inputs again."""
        return FrameworkRecord.objects.get(framework_id=self.framework_id, version=self.framework_version)

    def detail(self, unit_code: str) -> dict | None:
        row = self.details.filter(unit_code=unit_code).first()
        return row.data if row else None


class UnitResultDetail(models.Model):
    """Per-unit detail of a published snapshot (every node's points, leaf points, lost points), stored apart
    from the snapshot's summary so that the results table and the history never load it. Immutable like the
    snapshot it belongs to."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.PROTECT, related_name="details")
    unit_code = models.CharField(max_length=40)
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "unit_code"], name="unique_unit_detail")]

    def save(self, *args, **kwargs):
        if self.pk:
            raise ImmutableResult("published results are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableResult("published results are immutable")
