"""Survey import and application to a cycle.

- :func:`import_survey` checks the upload (size, type: :mod:`cchc.web.uploads`), validates it with
  :func:`cchc.surveys.importer.import_responses` against the instrument and the province's unit names, and
  stores either the problem report alone (atomic import: nothing else is kept) or the file under its SHA-256
  and the result of :func:`cchc.surveys.indices.compute` with the method preset
  (:func:`cchc.surveys.indices.standard_options`, recorded in the result's ``method``).
- :func:`apply_to_cycle` writes each unit's overall survey index into the cycle's survey leaves whose
  ``method.instrument`` is the import's instrument, through the assessment services (history: who, when,
  old value, new value, why). Cycle units without a survey row, and survey rows without a unit in the cycle,
  are listed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.names import normalize_unit_name
from cchc.reports import charts
from cchc.surveys.indices import compute, standard_options
from cchc.surveys.registry import load_instrument
from cchc.surveys.report import ci_rows, ipa_chart_rows, overlapping_units
from cchc.web.accounts import policy
from cchc.web.assessments import services
from cchc.web.assessments.models import Participation
from cchc.web.errors import NotAllowed
from cchc.web.org.models import Unit
from cchc.web.surveys.models import SurveyApplication, SurveyImport
from cchc.web.uploads import TABLES, checked, keep

MAX_STORED_PROBLEMS = 2000


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None (PostgreSQL's jsonb refuses them)."""
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return _clean(value.item())
    return value


def known_unit_names(year: int) -> list[str] | None:
    """Names of the province's units active in ``year`` (the importer rejects other units); None when the
    unit register is empty (then unit names are not checked)."""

    names = [u.name for u in Unit.objects.all() if u.active_in(year)]
    return names or None


def import_survey(*, instrument_id: str, year: int, upload, user, skip_invalid: bool = False):  # noqa: ANN001
    """Validate and store one upload (a Django ``UploadedFile``); returns the :class:`SurveyImport` (status
    ``imported`` or ``rejected``).

    Raises :class:`cchc.web.uploads.UploadRefused` (nothing stored) for a file that is not an accepted survey file (CSV or XLSX,
    at most ``CCHC_SURVEY_UPLOAD_MAX_BYTES``), and ``PermissionError`` for a person who may not import."""
    from cchc.surveys.importer import (  # start-up time: pandas loads on first use
        ImportFailed,
        Problem,
        import_responses,
    )

    if not policy.can_import_surveys(user):
        raise NotAllowed("not allowed")
    with checked(upload, TABLES, settings.CCHC_SURVEY_UPLOAD_MAX_BYTES) as got:
        inst = load_instrument(instrument_id)
        name = Path(got.name).name  # problems name the person's file: the checked copy carries its name
        common = dict(
            instrument=inst.id, instrument_version=str(inst.version or ""), year=year, skip_invalid=skip_invalid,
            file_name=name[:255], file_sha256=got.sha256, file_size=got.size, uploaded_by=user,
        )
        try:
            res = import_responses(got.path, inst, units=known_unit_names(year), skip_invalid=skip_invalid)
        except ImportFailed as exc:
            return _rejected(common, exc.problems, exc.warnings)
        except Exception as exc:  # noqa: BLE001 - an unreadable file is the uploader's problem, reported as such
            return _rejected(common, [Problem(name, 0, "", "", _("Không đọc được tệp: %(e)s") % {"e": exc})], [])
        if res.responses.n == 0:
            return _rejected(common, res.problems or [Problem(name, 0, "", "", _("Tệp không có phiếu nào."))],
                             res.warnings)
        options = standard_options()
        result = compute(res.responses, options)
        # the preset with the numbers it gave (the seed is there already; the replicates only inside a sentence)
        result["method"] = {**result.get("method", {}), "replicates": options.replicates, "seed": options.seed}
        keep(got)
        return SurveyImport.objects.create(
            **common, status=SurveyImport.Status.IMPORTED, source_format=res.source_format[:40],
            n_imported=res.responses.n, n_rejected=len(res.rejected),
            problems=_clean([_problem(p) for p in res.problems[:MAX_STORED_PROBLEMS]]),
            rejected=_clean([{"sheet": r.sheet, "row": r.row, "values": r.values, "reasons": r.reasons}
                             for r in res.rejected[:MAX_STORED_PROBLEMS]]),
            warnings=list(res.warnings), result=_clean(result),
        )


def _problem(p) -> dict[str, Any]:
    return {"sheet": p.sheet, "row": p.row, "column": p.column, "value": p.value, "reason": p.reason}


def _rejected(common: dict, problems, warnings):

    return SurveyImport.objects.create(
        **common, status=SurveyImport.Status.REJECTED, n_rejected=len({(p.sheet, p.row) for p in problems if p.row}),
        problems=_clean([_problem(p) for p in problems[:MAX_STORED_PROBLEMS]]), warnings=list(warnings),
    )


# ---- results for a person ---------------------------------------------------------------------------------


def unit_rows(survey, user) -> list[dict[str, Any]]:
    """The per-unit rows of an import that ``user`` may see, ranked first (rank, then name)."""
    units = (survey.result or {}).get("units", [])
    rows = policy.visible_survey_rows(user, units)
    return sorted(rows, key=lambda u: (u.get("rank") is None, u.get("rank") or 0, u["label"]))


def overlaps(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of the visible units whose intervals overlap (:func:`cchc.surveys.report.overlapping_units`):
    the page says their order is not established only when there is such a pair."""
    return overlapping_units(rows)


def chart_specs(survey, rows: list[dict[str, Any]], with_drivers: bool) -> dict[str, dict]:
    """Vega-Lite specs: confidence bars of the (visible, rankable) units and, for readers of every unit, the
    importance–performance matrix. Built by :mod:`cchc.reports.charts` from :mod:`cchc.surveys.report` rows."""

    result = survey.result or {}
    specs: dict[str, dict] = {}
    bars = ci_rows({"units": rows}, "units")
    if bars:
        specs["units"] = charts.satisfaction_with_ci(bars, _("Chỉ số hài lòng theo đơn vị (khoảng tin cậy 95%)"))
    if with_drivers:
        ipa = ipa_chart_rows(result)
        if ipa:
            specs["ipa"] = charts.importance_performance(ipa, _("Mức độ quan trọng – mức độ hài lòng"))
    return specs


# ---- applying to a cycle ----------------------------------------------------------------------------------


def survey_leaves(fw, unit_type: str | None, instrument: str) -> list:
    return [n for n in fw.leaves(unit_type)
            if n.kind == "survey" and getattr(n.method, "instrument", None) == instrument]


def uses_instrument(cycle, instrument: str) -> bool:
    """Does the cycle's framework have a survey leaf (of any unit type) that uses ``instrument``?"""
    return bool(survey_leaves(cycle.framework.framework, None, instrument))


def apply_to_cycle(survey, cycle, user):
    """Set ``survey_index`` of every survey leaf of ``survey.instrument`` for each unit of ``cycle`` to the
    unit's overall index; returns the :class:`SurveyApplication` listing what was set and what was not."""

    if not policy.can_apply_survey(user, cycle):
        raise NotAllowed("not allowed")
    if survey.status != SurveyImport.Status.IMPORTED or not survey.result:
        raise ValueError(_("Lần nhập này không có kết quả."))
    fw = cycle.framework.framework
    rows: dict[str, dict] = {}
    for u in survey.result.get("units", []):
        rows.setdefault(normalize_unit_name(u["label"]), u)
    reason = _("Chỉ số khảo sát từ lần nhập #%(id)d (%(inst)s, năm %(year)d)") % {
        "id": survey.pk, "inst": survey.instrument, "year": survey.year}
    updated, not_found, no_index, used = [], [], [], set()
    any_leaf = False
    with transaction.atomic():
        parts = Participation.objects.filter(cycle=cycle).select_related("unit")
        for part in parts:
            part.cycle = cycle  # one framework record for all units
            unit = part.unit
            key = next((k for k in (normalize_unit_name(unit.name), normalize_unit_name(unit.code)) if k in rows), None)
            leaves = survey_leaves(fw, unit.unit_type, survey.instrument)
            if key is not None:
                used.add(key)
            if not leaves:
                if key is not None:  # in the survey and in the cycle, but its unit type has no such leaf
                    no_index.append({"code": unit.code, "name": unit.name, "label": rows[key]["label"],
                                     "reason": "no_leaf"})
                continue
            any_leaf = True
            if key is None:
                not_found.append({"code": unit.code, "name": unit.name})
                continue
            index = rows[key]["overall"].get("index")
            if index is None:
                no_index.append({"code": unit.code, "name": unit.name, "label": rows[key]["label"],
                                 "reason": "no_index"})
                continue
            for node in leaves:
                old = services.set_survey_index(part, node.code, index, reason, user)
                updated.append({"code": unit.code, "name": unit.name, "leaf": node.code, "old": old, "new": index,
                                "low_n": bool(rows[key].get("low_n"))})
        if not any_leaf:
            raise ValueError(_("Bộ chỉ số của kỳ này không có tiêu chí khảo sát dùng bộ câu hỏi %(inst)s.")
                             % {"inst": survey.instrument})
        not_in_cycle = [rows[k]["label"] for k in rows if k not in used]
        return SurveyApplication.objects.create(
            survey=survey, cycle=cycle, applied_by=user, updated=_clean(updated), not_found=not_found,
            not_in_cycle=not_in_cycle, no_index=no_index,
        )
