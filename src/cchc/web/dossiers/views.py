"""Service-delivery dashboard, unit page with drill-down to procedures and late dossiers, and the import page.

Permissions come from :mod:`cchc.web.accounts.policy`: the province overview for readers of all units
(administrator, approver, leader), a unit's pages also for its focal point (dossier ``unit_code`` = web
``Unit.code``), the import for the administrator."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cchc.core.periods import GRANULARITIES
from cchc.reports.charts import trend
from cchc.web.accounts import policy
from cchc.web.dossiers import services
from cchc.web.dossiers.forms import DossierImportForm
from cchc.web.dossiers.models import DossierImport
from cchc.web.org.models import Unit

LATE_SHOWN = 1000


def _granularity(request) -> str:
    g = request.GET.get("period", "month")
    return g if g in GRANULARITIES else "month"


def _unit_names() -> dict[str, str]:

    names = dict(Unit.objects.values_list("code", "name"))
    names["*"] = _("Toàn tỉnh")
    return names


def _chart(records: list[dict], unit: str, title: str) -> dict | None:

    rows = services.trend_rows(records, unit)
    return trend(rows, title) if rows else None


def _period_choice(request, labels: list[str]) -> str | None:
    chosen = request.GET.get("p")
    return chosen if chosen in labels else (labels[-1] if labels else None)


@login_required
def dashboard(request):
    if not policy.can_view_services_overview(request.user):
        own = policy.services_unit_codes(request.user)
        if own:
            return redirect("services:unit", unit_code=own[0])
        raise PermissionDenied
    gran = _granularity(request)
    ctx = {"granularity": gran, "granularities": _granularity_choices(), "summary": services.SUMMARY,
           "can_import": policy.can_import_dossiers(request.user), "store": services.store_root()}
    if not services.has_data():
        return render(request, "dossiers/dashboard.html", ctx | {"no_data": True})
    try:
        records = services.overview(gran)
    except (ValueError, FileNotFoundError) as exc:  # e.g. a store whose dossiers were never received
        return render(request, "dossiers/dashboard.html", ctx | {"no_data": True, "store_error": str(exc)})
    labels = services.periods(records)
    chosen = _period_choice(request, labels)
    names = _unit_names()
    rows = []
    for rec in sorted((r for r in records if r["period"] == chosen), key=services.sort_key):
        row = services.summary(rec)
        row["name"] = names.get(rec["unit"], "")
        rows.append(row)
    ctx.update(labels=labels, chosen=chosen, rows=rows,
               chart=_chart(records, "*", _("Toàn tỉnh: tỷ lệ theo kỳ (%)")))
    return render(request, "dossiers/dashboard.html", ctx)


def _granularity_choices():
    return [("month", _("Tháng")), ("quarter", _("Quý")), ("half", _("6 tháng")), ("year", _("Năm"))]


def _unit_or_404(request, unit_code: str) -> None:
    if not policy.can_view_services_unit(request.user, unit_code):
        raise PermissionDenied


@login_required
def unit_page(request, unit_code: str):
    _unit_or_404(request, unit_code)
    if not services.has_data():
        raise Http404
    gran = _granularity(request)
    try:
        records = [r for r in services.overview(gran) if r["unit"] == unit_code]
    except (ValueError, FileNotFoundError):
        records = []
    names = _unit_names()
    if not records:
        if unit_code not in names:
            raise Http404
        return render(request, "dossiers/unit.html", {  # a web unit without dossiers in the store
            "unit_code": unit_code, "unit_name": names[unit_code], "no_data": True, "granularity": gran,
            "overview": policy.can_view_services_overview(request.user)})
    labels = services.periods(records)
    chosen = _period_choice(request, labels)
    rec = next(r for r in records if r["period"] == chosen)
    proc_names = services.procedure_names()
    procs = []
    for p in services.procedures(gran, unit_code):
        if p["period"] == chosen and p["unit"] == unit_code and p["received"] > 0:
            row = services.summary(p)
            row["name"] = proc_names.get(p["procedure_code"], "")
            procs.append(row)
    procs.sort(key=lambda r: (-r["late"], -r["received"], r["procedure_code"]))
    ctx = {
        "unit_code": unit_code, "unit_name": names.get(unit_code, ""), "rec": rec, "granularity": gran,
        "granularities": _granularity_choices(), "labels": labels, "chosen": chosen, "summary": services.SUMMARY,
        "row": services.summary(rec),
        "computable": [i for i in rec["indicators"] if i["computable"]],
        "not_computable": [i for i in rec["indicators"] if not i["computable"]],
        "procedures": procs,
        "chart": _chart(records, unit_code, _("Tỷ lệ theo kỳ (%)")),
        "overview": policy.can_view_services_overview(request.user),
    }
    return render(request, "dossiers/unit.html", ctx)


@login_required
def late_page(request, unit_code: str):
    _unit_or_404(request, unit_code)
    if not services.has_data():
        raise Http404
    label = request.GET.get("p", "")
    gran = services.canonical_period(label)
    if gran is None:
        raise Http404
    procedure = request.GET.get("procedure") or None
    rows = services.late(unit_code, label)
    if procedure:
        rows = [r for r in rows if r["procedure_code"] == procedure]
    ctx = {"unit_code": unit_code, "unit_name": _unit_names().get(unit_code, ""), "label": label,
           "granularity": gran, "procedure": procedure, "count": len(rows), "rows": rows[:LATE_SHOWN],
           "shown": LATE_SHOWN, "procedure_names": services.procedure_names()}
    return render(request, "dossiers/late.html", ctx)


# --- import ---------------------------------------------------------------------------------------------------


def _require_import(user) -> None:
    if not policy.can_import_dossiers(user):
        raise PermissionDenied


@login_required
def import_page(request):
    """The upload form: the files' type, size and the catalogue are checked at once (:func:`services.submit`), the
    import runs in the background and the person is sent to the job's page."""
    from cchc.services.importer import Store  # start-up time: Ibis and DuckDB load on first use

    _require_import(request.user)
    errors: list[str] = []
    if request.method == "POST":
        form = DossierImportForm(request.POST, request.FILES)
        form.is_valid()  # every field optional: the files are checked by services.submit, in its words
        got = form.cleaned_data
        job, errors = services.submit(request.user, got["file"], got["catalogue"], replace=got["replace"])
        if job is not None:
            return redirect("services:import-job", job_id=job.pk)
    store = Store(services.store_root())
    ctx = {"store": store.root, "errors": errors, "manifest": list(reversed(store.manifest()))[:20],
           "recent": services.recent()}
    return render(request, "dossiers/import.html", ctx, status=422 if errors else 200)


def _job_or_404(request, job_id: int):

    _require_import(request.user)
    try:
        return services.settle_stale(DossierImport.objects.get(pk=job_id))
    except DossierImport.DoesNotExist:
        raise Http404 from None


@login_required
def import_job(request, job_id: int):
    job = _job_or_404(request, job_id)
    template = "dossiers/_import_job.html" if request.headers.get("HX-Request") else "dossiers/import_job.html"
    return render(request, template, {"job": job, "result": job.result or None})


@login_required
def import_rejected(request, job_id: int):
    """The rejected rows of a finished import, each with its reasons (written by the importer in the store)."""
    job = _job_or_404(request, job_id)
    stored = (job.result or {}).get("rejected_path")
    if not stored:
        raise Http404
    path = services.store_root() / "rejected" / Path(stored).name  # by name: the store may have moved (a restore)
    if not path.is_file():
        raise Http404
    name = f"bi-loai-{Path(job.file_name).stem}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type="text/csv; charset=utf-8")
