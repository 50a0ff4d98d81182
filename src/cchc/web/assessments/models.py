"""Frameworks as stored, cycles (kỳ đánh giá), each unit's participation and its per-leaf inputs.

Only inputs are stored here; every score, rank and band is computed by :mod:`cchc.core` through
:mod:`cchc.web.assessments.scoring` and :mod:`cchc.web.results.services`. Every model that carries a score or a workflow status keeps its history
(who, when, old value, new value, why) with django-simple-history.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cchc.web.assessments.frameworks import framework_from_record


class FrameworkRecord(models.Model):
    """One framework version as validated data (the parsed YAML), frozen once a cycle uses it."""

    framework_id = models.CharField(_("mã bộ chỉ số"), max_length=100)
    version = models.CharField(_("phiên bản"), max_length=40)
    name = models.CharField(_("tên"), max_length=255)
    data = models.JSONField(_("nội dung"))
    source = models.CharField(_("nguồn"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bộ chỉ số")
        verbose_name_plural = _("bộ chỉ số")
        constraints = [models.UniqueConstraint(fields=["framework_id", "version"], name="unique_framework_version")]
        ordering = ["framework_id", "version"]

    def __str__(self) -> str:
        return f"{self.name} ({self.framework_id} v{self.version})"

    @cached_property
    def framework(self):
        return framework_from_record(self)


class State(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    OPEN = "open", _("Đang tự đánh giá")
    SELF_CLOSED = "self_closed", _("Đã khóa tự đánh giá")
    APPRAISAL = "appraisal", _("Đang thẩm định")
    EXPLANATION = "explanation", _("Giải trình")
    FINAL_APPRAISAL = "final_appraisal", _("Thẩm định lại")
    APPROVED = "approved", _("Đã phê duyệt")
    PUBLISHED = "published", _("Đã công bố")


class Cycle(models.Model):
    """A cycle: one framework version, a set of units (participations) and deadlines."""

    name = models.CharField(_("tên kỳ đánh giá"), max_length=255)
    year = models.PositiveIntegerField(_("năm"))
    framework = models.ForeignKey(FrameworkRecord, verbose_name=_("bộ chỉ số"), on_delete=models.PROTECT)
    state = models.CharField(_("trạng thái"), max_length=20, choices=State.choices, default=State.DRAFT)
    previous = models.ForeignKey(
        "self", verbose_name=_("kỳ năm trước"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="next_cycles",
    )
    self_deadline = models.DateField(_("hạn tự đánh giá"), null=True, blank=True)
    appraisal_deadline = models.DateField(_("hạn thẩm định"), null=True, blank=True)
    explanation_deadline = models.DateField(_("hạn giải trình"), null=True, blank=True)
    public = models.BooleanField(_("công khai kết quả (không cần đăng nhập)"), default=False)
    narrative_vi = models.TextField(_("nhận xét chung"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kỳ đánh giá")
        verbose_name_plural = _("kỳ đánh giá")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED


class Transition(models.Model):
    """A state change of a cycle: who, when, from, to and why (also mirrored in the cycle's history)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ParticipationQuerySet(models.QuerySet):
    def listed(self) -> ParticipationQuerySet:
        """With their cycle, the cycle's framework record (without its JSON: the parsed framework is cached per
        process, see :func:`cchc.web.assessments.frameworks.framework_from_record`) and the unit, in one query."""
        return self.select_related("cycle", "cycle__framework", "unit").defer("cycle__framework__data")


class Participation(models.Model):
    """A unit taking part in a cycle; carries the unit's submission and explanation status."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="participations")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="participations")
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explained_at = models.DateTimeField(_("giải trình lúc"), null=True, blank=True)
    # Left out of the ranking by the council chair, with a written reason (a unit that cannot be completed:
    # merged, dissolved, newly created mid-year). Shown as "không xếp hạng" with the reason, never as a rank.
    excluded_reason = models.TextField(_("lý do không xếp hạng"), blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excluded_at = models.DateTimeField(_("không xếp hạng từ"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="unique_participation")]
        ordering = ["unit__unit_type", "unit__name"]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.unit}"


class LeafAssessment(models.Model):
    """Inputs for one leaf of one unit in one cycle. ``version`` increases on every save (optimistic lock)."""

    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="leaves")
    leaf_code = models.CharField(_("mã tiêu chí"), max_length=40)
    self_points = models.FloatField(_("điểm tự đánh giá"), null=True, blank=True)
    justification = models.TextField(_("thuyết minh"), blank=True)
    no_evidence_reason = models.TextField(_("giải thích khi không có tài liệu kiểm chứng"), blank=True)
    appraised_points = models.FloatField(_("điểm thẩm định"), null=True, blank=True)
    appraisal_comment = models.TextField(_("lý do điều chỉnh / nhận xét"), blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explanation = models.TextField(_("giải trình"), blank=True)
    numerator = models.FloatField(_("tử số"), null=True, blank=True)
    denominator = models.FloatField(_("mẫu số"), null=True, blank=True)
    survey_index = models.FloatField(_("chỉ số khảo sát (%)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participation", "leaf_code"], name="unique_leaf")]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.participation.unit.code} {self.leaf_code}"

    @property
    def adjusted(self) -> bool:
        return self.appraised_points is not None and self.appraised_points != self.self_points


class Evidence(models.Model):
    """An evidence file (tài liệu kiểm chứng), stored once under its SHA-256 content hash."""

    assessment = models.ForeignKey(LeafAssessment, on_delete=models.CASCADE, related_name="evidence")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    stage = models.CharField(max_length=20, default="self")
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "sha256"], name="unique_evidence_per_leaf")]
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name
