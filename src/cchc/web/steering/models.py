"""Steering work (issue 6): plans, tasks, progress, evidence, remedial proposals, targets and observations,
the steering committee and its meetings, and the reminders already sent.

Decisions (which transition is allowed, what is overdue, which proposals, attainment, reward eligibility,
which reminders are due) are made by :mod:`cchc.steering`; these models persist inputs and outcomes. Every
workflow model keeps its history (who, when, old, new, why) with django-simple-history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cchc.steering.tasks import TaskFacts, TaskState, display_state
from cchc.web.steering import clock


class Plan(models.Model):
    """A plan or programme (kế hoạch, chương trình) for a year or a period."""

    KINDS = [("plan", _("Kế hoạch")), ("programme", _("Chương trình"))]
    kind = models.CharField(_("loại"), max_length=20, choices=KINDS, default="plan")
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    year = models.PositiveIntegerField(_("năm"))
    period = models.CharField(_("giai đoạn"), max_length=40, blank=True, help_text=_("ví dụ 2026, 2026-H1, 2026-2030"))
    decision = models.CharField(_("văn bản ban hành"), max_length=255, blank=True,
                                help_text=_("số, ký hiệu và ngày, ví dụ Kế hoạch số 12/KH-UBND ngày 15/01/2026"))
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")

    def __str__(self) -> str:
        return self.title


class Priority(models.TextChoices):
    HIGH = "high", _("Cao")
    NORMAL = "normal", _("Bình thường")
    LOW = "low", _("Thấp")


class Source(models.TextChoices):
    PLAN = "plan", _("Kế hoạch")
    FINDING = "finding", _("Điểm bị trừ (kết quả chỉ số)")
    MEETING = "meeting", _("Kết luận cuộc họp Ban Chỉ đạo")


STATE_CHOICES = [(s.value, lbl) for s, lbl in (
    (TaskState.NOT_STARTED, _("Chưa thực hiện")), (TaskState.IN_PROGRESS, _("Đang thực hiện")),
    (TaskState.DONE, _("Hoàn thành")), (TaskState.CANCELLED, _("Hủy")))]


class Task(models.Model):
    plan = models.ForeignKey(Plan, verbose_name=_("kế hoạch"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="tasks")
    number = models.CharField(_("số thứ tự"), max_length=20, blank=True)
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    description = models.TextField(_("nội dung"), blank=True)
    lead_unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT,
                                  related_name="led_tasks")
    coordinating_units = models.ManyToManyField("org.Unit", verbose_name=_("đơn vị phối hợp"), blank=True,
                                                related_name="coordinated_tasks")
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    expected_output = models.CharField(_("sản phẩm"), max_length=500, blank=True)
    priority = models.CharField(_("mức ưu tiên"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    criteria = models.CharField(_("tiêu chí phục vụ"), max_length=255, blank=True,
                                help_text=_("mã tiêu chí của bộ chỉ số, cách nhau bởi dấu phẩy, ví dụ 2.1, 3.2"))
    source = models.CharField(_("nguồn"), max_length=10, choices=Source.choices, default=Source.PLAN)
    source_ref = models.CharField(_("căn cứ"), max_length=255, blank=True)
    conclusion = models.ForeignKey("Conclusion", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="tasks")
    state = models.CharField(_("trạng thái"), max_length=20, choices=STATE_CHOICES, default=TaskState.NOT_STARTED)
    completion_note = models.TextField(_("kết quả thực hiện"), blank=True)
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    cancel_reason = models.TextField(_("lý do hủy"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[coordinating_units])

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")

    def __str__(self) -> str:
        return self.title

    @property
    def criteria_list(self) -> list[str]:
        return [c.strip() for c in self.criteria.split(",") if c.strip()]

    def facts(self) -> TaskFacts:
        return TaskFacts(self.pk, self.title, self.lead_unit.name if self.lead_unit_id else "", self.deadline,
                         TaskState(self.state), self.completed_on, self.plan.title if self.plan_id else None,
                         self.criteria_list[0] if self.criteria_list else None)

    def display_state(self, today=None) -> str:
        return display_state(self.facts(), today or clock.today())

    @property
    def latest_percent(self) -> int | None:
        """Latest progress report's percent (annotated by :func:`with_latest_percent` in lists)."""
        if "latest_pct" in self.__dict__:
            return self.__dict__["latest_pct"]
        report = self.progress.order_by("-date", "-pk").first()
        return report.percent if report else None


def with_latest_percent(queryset):
    """Annotate a task queryset with the latest progress percent in one query (lists, exports, API)."""
    return queryset.annotate(latest_pct=models.Subquery(
        ProgressReport.objects.filter(task=models.OuterRef("pk")).order_by("-date", "-pk").values("percent")[:1]))


class TaskEvent(models.Model):
    """A state change of a task: who, when, from, to and why (also in the task's history)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField(_("ngày báo cáo"))
    percent = models.PositiveSmallIntegerField(_("tiến độ (%)"))
    text = models.TextField(_("nội dung"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(percent__lte=100), name="progress_percent_max_100")]


class TaskEvidence(models.Model):
    """An evidence file of a task, stored once under its SHA-256 hash in the web app's evidence store."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="evidence")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(_("tên tệp"), max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "sha256"], name="unique_evidence_per_task")]


class Proposal(models.Model):
    """A draft remedial task from lost points (internal result or national field index)."""

    STATUS = [("pending", _("Chờ xem xét")), ("accepted", _("Đã chấp nhận")), ("discarded", _("Đã loại"))]
    source = models.CharField(max_length=255)  # "internal:<framework>:<year>" / "national:<label>:<year>"
    cycle = models.ForeignKey("assessments.Cycle", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="steering_proposals")
    year = models.PositiveIntegerField()
    unit_code = models.CharField(max_length=40)
    unit_name = models.CharField(max_length=255)
    criterion = models.CharField(max_length=40)
    criterion_name = models.CharField(max_length=500)
    points_lost = models.FloatField()
    max_points = models.FloatField()
    title = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=STATUS, default="pending")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["source", "unit_code", "criterion"], name="unique_proposal")]


class Observation(models.Model):
    """A value of a metric entered or imported (national PAR INDEX, rank, SIPAS, a field index…)."""

    metric = models.CharField(_("chỉ số"), max_length=60,
                              help_text=_("par_index, par_index_rank, sipas, sipas_rank, field:<mã lĩnh vực>"))
    year = models.PositiveIntegerField(_("năm"))
    value = models.FloatField(_("giá trị"))
    observed_on = models.DateField(_("ngày công bố"))
    note = models.CharField(_("ghi chú / nguồn"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["metric", "year"]
        constraints = [models.UniqueConstraint(fields=["metric", "year"], name="unique_observation")]


class Target(models.Model):
    COMPARATORS = [(">=", "≥"), ("<=", "≤"), ("top", _("trong nhóm đứng đầu (hạng ≤)"))]
    source = models.CharField(_("căn cứ"), max_length=255, help_text=_("ví dụ Nghị quyết số 18-NQ/TU"))
    description = models.CharField(_("mô tả"), max_length=500, blank=True)
    metric = models.CharField(_("chỉ số"), max_length=60, help_text=_(
        "par_index, par_index_rank, sipas, field:<mã>, internal:<mã đơn vị>, task_completion"))
    comparator = models.CharField(_("so sánh"), max_length=4, choices=COMPARATORS)
    value = models.FloatField(_("giá trị"))
    deadline = models.DateField(_("thời hạn"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return f"{self.metric} {self.comparator} {self.value}"


class Member(models.Model):
    ROLES = [("chair", _("Trưởng ban")), ("vice", _("Phó Trưởng ban")), ("member", _("Thành viên")),
             ("secretary", _("Thư ký / cơ quan thường trực"))]
    name = models.CharField(_("họ và tên"), max_length=255)
    position = models.CharField(_("chức vụ"), max_length=255, blank=True)
    role = models.CharField(_("vai trò"), max_length=10, choices=ROLES, default="member")
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị"), null=True, blank=True, on_delete=models.SET_NULL)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["role", "name"]


class FieldResponsibility(models.Model):
    """Which department leads which field (Justice → institutional reform, Finance → public finance…)."""

    field_code = models.CharField(_("mã lĩnh vực"), max_length=40, unique=True)
    field_name = models.CharField(_("lĩnh vực"), max_length=255)
    unit = models.ForeignKey("org.Unit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT)
    history = HistoricalRecords()

    class Meta:
        ordering = ["field_code"]


class Meeting(models.Model):
    date = models.DateField(_("ngày họp"))
    title = models.CharField(_("cuộc họp"), max_length=255)
    notice = models.CharField(_("thông báo kết luận"), max_length=255, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date"]


class Conclusion(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="conclusions")
    text = models.TextField(_("kết luận"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]


class ReminderSent(models.Model):
    """Idempotency: a reminder key (kind:task:date) is sent once."""

    key = models.CharField(max_length=120, unique=True)
    unit = models.ForeignKey("org.Unit", null=True, on_delete=models.SET_NULL)
    task = models.ForeignKey(Task, null=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=10)
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.CharField(max_length=500, blank=True)


@receiver(pre_save, sender=Task)
def _no_history_for_fixture_loads(sender, instance, raw=False, **kwargs):
    """``loaddata`` (``cchc restore``) saves raw rows and then sets the coordinating units; simple-history skips
    the raw save but would record the m2m change as a new history row. Mark the loaded instance instead."""
    if raw:
        instance.skip_history_when_saving = True
