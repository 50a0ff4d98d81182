"""Report page: choose the report, upload the national table if any, watch progress, download."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render

from cchc.web.accounts import policy
from cchc.web.assessments.models import Cycle
from cchc.web.http import require
from cchc.web.reports import services
from cchc.web.reports.forms import ReportForm
from cchc.web.reports.models import ReportJob
from cchc.web.reports.services import job_dir, settle_stale
from cchc.web.uploads import TABLES, UploadRefused, receive

CONTENT_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 ".pdf": "application/pdf", ".png": "image/png"}


@login_required
def report_page(request):
    require(policy.can_make_reports(request.user))
    published = Cycle.objects.filter(state="published").order_by("-year", "pk")
    errors: list[str] = []
    values = {"kind": "review", "period": "", "province": settings.CCHC_PROVINCE, "pdf": True}
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, cycles=published)
        valid = form.is_valid()
        values, errors = form.typed(), form.problems()
        upload = form.cleaned_data.get("national")
        national = None
        if upload is not None and form.cleaned_data["kind"] == "review":  # the annex takes no national table
            try:
                national = receive(upload, TABLES, settings.CCHC_REPORT_UPLOAD_MAX_BYTES)
            except UploadRefused as refused:
                errors.append(str(refused))
        if valid and not errors:
            params = form.params() | ({"national_file": str(national)} if national else {})
            job = ReportJob.objects.create(kind=form.cleaned_data["kind"], params=params, created_by=request.user)
            services.start(job)
            return redirect("report-job", job_id=job.pk)
    recent = [services.settle_stale(j) for j in ReportJob.objects.filter(created_by=request.user)[:10]]
    return render(request, "reports/report.html",
                  {"cycles": published, "errors": errors, "values": values, "recent": recent})


def _job_for(request, job_id):
    require(policy.can_make_reports(request.user))
    job = get_object_or_404(ReportJob, pk=job_id)
    if not policy.can_view_report_job(request.user, job):
        raise Http404  # another person's report: not even its existence is told
    return job


@login_required
def report_job(request, job_id):

    job = settle_stale(_job_for(request, job_id))
    template = "reports/_job.html" if request.headers.get("HX-Request") else "reports/job.html"
    return render(request, template, {"job": job})


@login_required
def report_file(request, job_id, name):

    job = _job_for(request, job_id)
    if name not in job.files:
        raise Http404
    path = job_dir(job) / name
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=name,
                        content_type=CONTENT_TYPES.get(path.suffix, "application/octet-stream"))
