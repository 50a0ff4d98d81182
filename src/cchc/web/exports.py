"""XLSX exports: the results table of a cycle and one unit's score sheet. Same numbers as the pages
(they read the same snapshot / engine output); permission checks are done by the caller via the policy."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Font

from cchc.web import engine

BOLD = Font(bold=True)


def _header(ws, values):
    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font = BOLD


def results_workbook(cycle, data) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    fields = data["fields"]
    # as on the results page: a field with a maximum shows its index (%); a bonus / penalty field (no maximum)
    # shows its points
    bonus = {f["code"] for f in fields
             if any((u["fields"].get(f["code"]) or {}).get("max_points") == 0 for u in data["units"])}
    _header(ws, ["Nhóm", "Hạng", "Trên", "Mã đơn vị", "Tên đơn vị", "Điểm", "Điểm tối đa", "Chỉ số (%)",
                 "Xếp loại", "Tăng/giảm điểm", "Tăng/giảm bậc"]
            + [f"Lĩnh vực {f['code']} ({'điểm thưởng/trừ' if f['code'] in bonus else '%'})" for f in fields])
    for u in sorted(data["units"], key=lambda u: (u["group"] or "", u["rank"], u["name"])):
        ch = u.get("change") or {}
        ws.append([u["group"], u["rank"], u["of"], u["code"], u["name"], u["total"], u["max_points"], u["index"],
                   (u["band"] or {}).get("label_vi"), ch.get("delta_points"), ch.get("delta_rank")]
                  + [(u["fields"].get(f["code"]) or {}).get("points" if f["code"] in bonus else "index")
                     for f in fields])
    info = wb.create_sheet("Thông tin")
    for row in (
        ("Kỳ đánh giá", cycle.name), ("Năm", cycle.year),
        ("Bộ chỉ số", f"{data['framework']['id']} v{data['framework']['version']}"),
        ("Đã công bố", "có" if data.get("published") else "chưa (xem trước)"),
        ("Mã băm dữ liệu đầu vào (SHA-256)", data.get("hash")),
    ):
        info.append(list(row))
    return wb


def sheet_workbook(part) -> Workbook:
    fw = part.cycle.framework.framework
    stored = {la.leaf_code: la for la in part.leaves.prefetch_related("evidence")}
    wb = Workbook()
    ws = wb.active
    ws.title = part.unit.code[:31]
    _header(ws, ["Mã", "Tiêu chí", "Điểm tối đa", "Điểm tự đánh giá", "Thuyết minh", "Tử số", "Mẫu số",
                 "Chỉ số khảo sát", "Điểm thẩm định", "Lý do điều chỉnh", "Giải trình", "Tài liệu kiểm chứng"])
    for row in engine.leaf_rows(fw, part.unit.unit_type):
        la = stored.get(row.node.code)
        ws.append([
            row.node.code, row.node.name_vi, row.node.max_points,
            la.self_points if la else None, la.justification if la else "",
            la.numerator if la else None, la.denominator if la else None, la.survey_index if la else None,
            la.appraised_points if la else None, la.appraisal_comment if la else "",
            la.explanation if la else "", "; ".join(e.name for e in la.evidence.all()) if la else "",
        ])
    totals = engine.unit_total(part)
    ws.append([])
    ws.append(["", "Tổng điểm", totals["max_points"], None, None, None, None, None, totals["total"]])
    return wb
