"""Survey pages: the import page (with the problem report), the results page and applying to a cycle."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.surveys.registry import list_instruments
from cchc.web.accounts import policy
from cchc.web.assessments.models import Cycle
from cchc.web.http import require
from cchc.web.surveys import services
from cchc.web.surveys.forms import SurveyApplyForm, SurveyImportForm
from cchc.web.surveys.models import SurveyImport
from cchc.web.uploads import UploadRefused


def _instruments():

    return [(i.id, f"{i.id} — {i.title_vi}") for i in list_instruments()]


@login_required
def survey_imports(request):
    user = request.user
    require(policy.can_view_surveys(user))
    can_import = policy.can_import_surveys(user)
    instruments = _instruments() if can_import else []
    errors: list[str] = []
    values = {"instrument": "", "year": str(timezone.localdate().year), "skip_invalid": False}
    if request.method == "POST":
        require(can_import)
        form = SurveyImportForm(request.POST, request.FILES, instruments=instruments)
        values, errors = form.values(), ([] if form.is_valid() else form.problems())
        if not errors:
            try:
                got = form.cleaned_data
                survey = services.import_survey(instrument_id=got["instrument"], year=got["year"], upload=got["file"],
                                                user=user, skip_invalid=got["skip_invalid"])
            except UploadRefused as exc:
                errors.append(str(exc))
            else:
                if survey.status == SurveyImport.Status.IMPORTED:
                    messages.success(request, _("Đã nhập %(n)d phiếu.") % {"n": survey.n_imported}
                                     + (" " + _("%(r)d dòng bị loại (xem danh sách bên dưới).") % {"r": survey.n_rejected}
                                        if survey.n_rejected else ""))
                else:
                    messages.error(request, _("Không nhập: tệp có lỗi, không có phiếu nào được ghi. Sửa các lỗi dưới "
                                              "đây rồi nhập lại, hoặc chọn “chỉ nhập các dòng hợp lệ”."))
                return redirect("survey-results", survey_id=survey.pk)
    imports = SurveyImport.objects.select_related("uploaded_by")
    if not policy.can_view_all_survey_units(user):
        imports = imports.filter(status=SurveyImport.Status.IMPORTED)
    return render(request, "surveys/import.html", {
        "can_import": can_import, "instruments": instruments, "values": values, "errors": errors,
        "imports": imports[:50], "max_mb": settings.CCHC_SURVEY_UPLOAD_MAX_BYTES >> 20,
    })


@login_required
def survey_results(request, survey_id):
    user = request.user
    require(policy.can_view_surveys(user))
    survey = get_object_or_404(SurveyImport.objects.select_related("uploaded_by"), pk=survey_id)
    reads_all = policy.can_view_all_survey_units(user)
    if survey.status != SurveyImport.Status.IMPORTED and not reads_all:
        raise Http404
    rows = services.unit_rows(survey, user) if survey.result else []
    charts = services.chart_specs(survey, rows, with_drivers=reads_all) if survey.result else {}
    cycles = []
    if survey.result and policy.is_admin(user):

        cycles = [c for c in Cycle.objects.select_related("framework").order_by("-year", "name")
                  if policy.can_apply_survey(user, c) and services.uses_instrument(c, survey.instrument)]
    result = survey.result or {}
    drivers = result.get("drivers") or {}
    element_names = {e["code"]: e["vi"] for e in result.get("elements", [])}
    return render(request, "surveys/results.html", {
        "survey": survey, "result": result, "rows": rows, "reads_all": reads_all, "charts": charts,
        "drivers": [dict(d, name=element_names.get(d["element"], d["element"])) for d in drivers.get("elements", [])]
        if reads_all and drivers.get("available") else [],
        "cycles": cycles, "applications": survey.applications.select_related("cycle", "applied_by")[:5]
        if reads_all else [],
        "low_n_rows": [r for r in rows if r.get("low_n")],
        "overlaps": services.overlaps(rows),
    })


@login_required
@require_POST
def survey_apply(request, survey_id):

    survey = get_object_or_404(SurveyImport, pk=survey_id)
    form = SurveyApplyForm(request.POST)
    if not form.is_valid():
        require(policy.is_admin(request.user))
        messages.error(request, form.errors["cycle"][0])
        return redirect("survey-results", survey_id=survey.pk)
    cycle = get_object_or_404(Cycle.objects.select_related("framework"), pk=form.cleaned_data["cycle"])
    require(policy.can_apply_survey(request.user, cycle))
    try:
        app = services.apply_to_cycle(survey, cycle, request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("survey-results", survey_id=survey.pk)
    changed = sum(1 for u in app.updated if u["old"] != u["new"])
    messages.success(request, _("Đã ghi chỉ số khảo sát vào %(n)d tiêu chí của kỳ %(c)s (%(k)d thay đổi).")
                     % {"n": len(app.updated), "c": cycle.name, "k": changed})
    if app.not_found or app.not_in_cycle or app.no_index:
        messages.warning(request, _("Có đơn vị không khớp: xem danh sách bên dưới."))
    return redirect("survey-results", survey_id=survey.pk)
