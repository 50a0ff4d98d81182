"""The results workbook of ``cchc score --xlsx``: results, leaf points and lost points, Vietnamese headers,
number formats and frozen header rows."""

from __future__ import annotations

from pathlib import Path

from cchc.core.diagnostics import lost_points
from cchc.core.framework import Framework
from cchc.core.numbers import round_half_up
from cchc.core.scoring import CycleResult


def header_row(ws, values) -> None:
    """Append ``values`` to the sheet as a bold header row."""
    from openpyxl.styles import Font  # openpyxl loads only when a workbook is written (CLI start-up)

    ws.append(values)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)


def write_cycle_workbook(framework: Framework, cycle: CycleResult, path: str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    p = framework.precision
    fmt = "0." + "0" * p if p else "0"
    wb = Workbook()
    ws = wb.active
    ws.title = "Kết quả"
    fields = framework.fields
    header = ["Nhóm", "Xếp hạng", "Mã", "Đơn vị", "Loại", "Khu vực"]
    header += [f"{f.code}. {f.name_vi}" for f in fields] + ["Tổng điểm", "Điểm tối đa", "Chỉ số (%)", "Xếp loại"]
    ws.append(header)
    for u in cycle.units:
        row = [u.group, u.rank or None, u.code, u.name, u.unit_type, u.region]
        row += [round_half_up(u.nodes[f.code].points, p) if f.code in u.nodes else None for f in fields]
        row += [round_half_up(u.total, p), u.max_points, u.index, u.band.label_vi if u.band else None]
        ws.append(row)
    first_num = 7
    for col in ws.iter_cols(min_col=first_num, max_col=len(header) - 1, min_row=2):
        for cell in col:
            cell.number_format = fmt

    leaves = framework.leaves()
    ws2 = wb.create_sheet("Điểm chi tiết")
    ws2.append(["Mã", "Đơn vị"] + [leaf.code for leaf in leaves])
    ws2.append(["", "Tối đa"] + [leaf.max_points for leaf in leaves])
    for u in cycle.units:
        ws2.append([u.code, u.name] + [u.leaf_points.get(leaf.code) for leaf in leaves])

    ws3 = wb.create_sheet("Điểm bị mất")
    ws3.append(["Mã tiêu chí", "Tên", "Cấp", "Điểm tối đa", "Tổng điểm bị mất", "Bình quân mỗi đơn vị", "Số đơn vị bị mất điểm", "Số đơn vị"])
    for depth in (0, 1):
        for item in lost_points(framework, cycle.units, depth=depth):
            ws3.append([item.code, item.name_vi, item.depth + 1, item.max_points, round_half_up(item.lost, p),
                        round_half_up(item.mean_lost, p), item.units_losing, item.units])

    for sheet in wb.worksheets:
        sheet.freeze_panes = "A2" if sheet.title != "Điểm chi tiết" else "C3"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions["B"].width = 36
        if sheet.title == "Kết quả":
            sheet.column_dimensions["D"].width = 36
    wb.save(path)
