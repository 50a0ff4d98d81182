"""XLSX export of one unit's score sheet. Same numbers as the page (the core's running totals); permission checks are done by the caller via the policy."""

from __future__ import annotations

from openpyxl import Workbook

from cchc.io.workbook import header_row
from cchc.web.accounts import policy
from cchc.web.assessments import frameworks, scoring


def sheet_workbook(part, user=None) -> Workbook:
    """The sheet; for ``user``, only the criteria they may see (an appraiser by field: their fields, no total)."""
    fw = part.cycle.framework.framework
    stored = {la.leaf_code: la for la in part.leaves.prefetch_related("evidence")}
    wb = Workbook()
    ws = wb.active
    ws.title = part.unit.code[:31]
    header_row(ws, ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Thuyết minh", "Tử số", "Mẫu số",
                 "Chỉ số khảo sát", "Điểm thẩm định", "Lý do điều chỉnh", "Giải trình", "Tài liệu kiểm chứng"])
    rows = frameworks.leaf_rows(fw, part.unit.unit_type)
    by_field_only = user is not None and policy.sees_by_field_only(user, part)
    if user is not None:
        rows = policy.visible_leaf_rows(user, part, rows)
    for row in rows:
        la = stored.get(row.node.code)
        ws.append([
            row.node.code, row.node.name_vi, row.node.max_points,
            la.self_points if la else None, la.justification if la else "",
            la.numerator if la else None, la.denominator if la else None, la.survey_index if la else None,
            la.appraised_points if la else None, la.appraisal_comment if la else "",
            la.explanation if la else "", "; ".join(e.name for e in la.evidence.all()) if la else "",
        ])
    if by_field_only:
        return wb
    totals = scoring.unit_total(part)
    ws.append([])
    ws.append(["", "Tổng điểm", totals["max_points"], None, None, None, None, None, totals["total"]])
    return wb
