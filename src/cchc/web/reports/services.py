"""Report jobs: build a report from published data and uploaded national tables after the response, write its
files, record progress (every write of the reports area; what the report reads is :mod:`cchc.web.reports.sources`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop  # steps are kept in Vietnamese, shown translated

from cchc.core.periods import Period
from cchc.frameworks import load_framework
from cchc.io.reference import unit_kinds
from cchc.io.results import read_results
from cchc.io.tables import InputError
from cchc.reports.review import ReviewInputs, build_decision_annex, build_review, write_report
from cchc.reports.sections import NationalIndex
from cchc.web import background
from cchc.web.assessments.models import Cycle
from cchc.web.reports.models import ReportJob
from cchc.web.reports.sources import (
    cycle_index,
    internal_indices,
    steering_sections,
    survey_and_service_sections,
)

STALE_AFTER = dt.timedelta(minutes=10)  # far above the slowest step (charts and the PDF through LibreOffice)
STALE_MESSAGE = gettext_noop("Việc tạo báo cáo bị dừng giữa chừng (máy chủ đã khởi động lại?): hãy tạo lại.")


def job_dir(job) -> Path:
    return Path(settings.DATA_DIR) / "reports" / str(job.pk)


def _step(job, text: str) -> None:
    """Note progress (best-effort, :func:`cchc.web.background.note_progress`); the outcome is saved by
    :func:`_finish`."""

    job.step = text
    background.note_progress(job, ["step", "status"])


def _finish(job, status: str, step: str, **fields) -> None:  # noqa: ANN003
    for name, value in fields.items():
        setattr(job, name, value)
    job.status, job.step = status, step
    job.save(update_fields=["status", "step", "updated_at", *fields])


def run(job_id: int) -> None:

    job = ReportJob.objects.get(pk=job_id)
    job.status = ReportJob.Status.RUNNING
    _step(job, gettext_noop("Đang đọc kết quả đã công bố"))
    out = job_dir(job)
    p = job.params
    try:
        if job.kind == "decision":
            cycle = Cycle.objects.get(pk=p["cycle"])
            report = build_decision_annex([cycle_index(cycle)], p["province"], dt.date.today())
            stem, charts = f"phu-luc-chi-so-cchc-{cycle.year}", False
        else:
            period = Period.parse(p["period"])
            year, half = period.year, period.half
            national = []
            if p.get("national_file"):

                _step(job, gettext_noop("Đang đọc bảng PAR INDEX"))
                national = [NationalIndex("PAR INDEX", read_results([p["national_file"]]), load_framework("par-index-876-provincial"))]
            _step(job, gettext_noop("Đang tổng hợp nhiệm vụ, chỉ tiêu, khen thưởng"))
            report = build_review(ReviewInputs(
                province=p["province"], year=year, half=half, national=national,
                internal=internal_indices(year), kinds=unit_kinds(), date=dt.date.today(),
                extra_sections=survey_and_service_sections(year, half) + steering_sections(year, half),
            ))
            stem, charts = f"bao-cao-cchc-{period.label}", True
        _step(job, gettext_noop("Đang vẽ biểu đồ và ghi DOCX, XLSX"))
        written = write_report(report, out, stem, pdf=bool(p.get("pdf")), charts=charts)
        files = [Path(written["docx"]).name, Path(written["xlsx"]).name]
        if "pdf" in written:
            files.append(Path(written["pdf"]).name)
        files += [Path(c).name for c in written.get("charts", [])]
        _finish(job, ReportJob.Status.DONE, gettext_noop("Xong"), files=files, message=written.get("pdf_error", ""),
                charts=[{"name": c.name, "caption": c.caption, "spec": c.spec} for c in report.charts()]
                if charts else [])
    except InputError as error:
        _finish(job, ReportJob.Status.FAILED, gettext_noop("Lỗi dữ liệu"), message="\n".join(error.problems))
    except Exception as error:  # noqa: BLE001 - a failed job tells the person why, the server keeps running
        _finish(job, ReportJob.Status.FAILED, "", message=f"{type(error).__name__}: {error}")


def settle_stale(job):  # noqa: ANN001, ANN201 - ReportJob
    """Mark a queued or running job failed when nothing runs it any more: its thread is not in this process and
    it has not moved for :data:`STALE_AFTER` (with several workers it may run in another one until then)."""

    return background.settle_orphan(job, STALE_AFTER, step="", message=STALE_MESSAGE)


def start(job) -> None:
    """Run in a background thread (the page polls the progress), or inline when CCHC_REPORTS_INLINE is set."""

    background.start(job.thread_name, lambda: run(job.pk), inline=settings.CCHC_REPORTS_INLINE)
