"""XLSX export of a cycle's results table. Same numbers as the page (the same snapshot or preview); permission checks are done by the caller via the policy."""

from __future__ import annotations

from openpyxl import Workbook

from cchc.io.workbook import header_row


def results_workbook(cycle, data) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    fields = data["fields"]
    # as on the results page: a field with a maximum shows its index (%); a bonus / penalty field (no maximum)
    # shows its points
    bonus = {f["code"] for f in fields
             if any((u["fields"].get(f["code"]) or {}).get("max_points") == 0 for u in data["units"])}
    header_row(ws, ["Nhóm", "Hạng", "Trên", "Mã đơn vị", "Tên đơn vị", "Điểm", "Điểm tối đa", "Chỉ số (%)",
                 "Xếp loại", "Tăng/giảm điểm", "Tăng/giảm bậc"]
            + [f"Lĩnh vực {f['code']} ({'điểm thưởng/trừ' if f['code'] in bonus else '%'})" for f in fields] + ["Lý do không xếp hạng"])
    for u in sorted(data["units"], key=lambda u: (u["group"] or "", u["rank"] or 10**9, u["name"])):
        ch = u.get("change") or {}
        ws.append([u["group"], u["rank"] or "không xếp hạng", u["of"] if u["rank"] else None, u["code"], u["name"], u["total"], u["max_points"], u["index"],
                   (u["band"] or {}).get("label_vi"), ch.get("delta_points"), ch.get("delta_rank")]
                  + [(u["fields"].get(f["code"]) or {}).get("points" if f["code"] in bonus else "index")
                     for f in fields] + [u.get("excluded") or None])
    info = wb.create_sheet("Thông tin")
    for row in (
        ("Kỳ đánh giá", cycle.name), ("Năm", cycle.year),
        ("Bộ chỉ số", f"{data['framework']['id']} v{data['framework']['version']}"),
        ("Đã công bố", "có" if data.get("published") else "chưa (xem trước)"),
        ("Mã băm dữ liệu đầu vào (SHA-256)", data.get("hash")),
    ):
        info.append(list(row))
    return wb
