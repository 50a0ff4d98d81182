"""Import computed inputs per unit from XLSX: numerator/denominator for ``ratio`` leaves and the survey index
for ``survey`` leaves (until the survey and dossier modules feed them directly). All-or-nothing; every
error names its row and column."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from cchc.core.numbers import parse_number
from cchc.web.assessments.models import LeafAssessment, Participation

HEADERS = {
    "unit": {"unit", "unit_code", "mã đơn vị"},
    "leaf": {"leaf", "leaf_code", "mã tiêu chí"},
    "numerator": {"numerator", "tử số"},
    "denominator": {"denominator", "mẫu số"},
    "survey_index": {"survey_index", "chỉ số khảo sát"},
}


REQUIRED = {"unit": ("mã đơn vị", "unit_code"), "leaf": ("mã tiêu chí", "leaf_code")}


def import_computed(cycle, fileobj, user) -> tuple[int, list[str]]:
    wb = load_workbook(fileobj, read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    if not rows:
        return 0, [_("Tệp trống.")]
    cols = {}
    for i, h in enumerate(rows[0]):
        key = str(h or "").strip().lower()
        for name, aliases in HEADERS.items():
            if key in aliases:
                cols[name] = i
    errors = [_("Thiếu cột bắt buộc: “%(vi)s” (hoặc “%(en)s”).") % {"vi": vi, "en": en}
              for n, (vi, en) in REQUIRED.items() if n not in cols]
    if errors:
        return 0, errors
    fw = cycle.framework.framework
    parts = {p.unit.code: p for p in Participation.objects.filter(cycle=cycle).select_related("unit")}
    updates = []
    for n, row in enumerate(rows[1:], start=2):
        def cell(name, row=row):
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else None

        def where(name, n=n):
            return _("Dòng %(n)s, cột %(col)s") % {"n": n, "col": get_column_letter(cols[name] + 1)}

        if not any(v not in (None, "") for v in row):
            continue
        unit, leaf = str(cell("unit") or "").strip(), str(cell("leaf") or "").strip()
        part = parts.get(unit)
        if part is None:
            errors.append(_("%(where)s: đơn vị %(unit)r không tham gia kỳ đánh giá này.") % {"where": where("unit"), "unit": unit})
            continue
        leaves = {x.code: x for x in fw.leaves(part.unit.unit_type)}
        node = leaves.get(leaf)
        if node is None or node.kind not in ("ratio", "survey"):
            errors.append(_("%(where)s: %(leaf)r không phải tiêu chí tỷ lệ hoặc khảo sát của đơn vị %(unit)s.")
                          % {"where": where("leaf"), "leaf": leaf, "unit": unit})
            continue
        values = {}
        names = ("numerator", "denominator") if node.kind == "ratio" else ("survey_index",)
        for name in names:
            if name not in cols:
                errors.append(_("Thiếu cột %(col)s cho tiêu chí %(leaf)s.") % {"col": name, "leaf": leaf})
                continue
            try:
                values[name] = parse_number(cell(name))
            except ValueError:
                errors.append(_("%(where)s: %(value)r không phải là số.") % {"where": where(name), "value": cell(name)})
                continue
            if values[name] is None or values[name] < 0:
                errors.append(_("%(where)s: cần một số không âm.") % {"where": where(name)})
        if node.kind == "survey" and values.get("survey_index") is not None and values["survey_index"] > 100:
            errors.append(_("%(where)s: chỉ số khảo sát phải trong 0–100.") % {"where": where("survey_index")})
        if node.kind == "ratio" and None not in (values.get("numerator"), values.get("denominator")) \
                and values["numerator"] > values["denominator"]:
            errors.append(_("%(where)s: tử số lớn hơn mẫu số.") % {"where": where("numerator")})
        updates.append((part, leaf, values))
    if errors:
        return 0, errors
    with transaction.atomic():
        for part, leaf, values in updates:
            la, _c = LeafAssessment.objects.select_for_update().get_or_create(participation=part, leaf_code=leaf)
            for k, v in values.items():
                setattr(la, k, v)
            la.version += 1
            la._change_reason = "Nhập số liệu tính tự động từ XLSX"
            la.save()
    return len(updates), []
