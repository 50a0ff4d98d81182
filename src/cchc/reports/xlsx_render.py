"""Every table of a report as one formatted sheet (Vietnamese headers, number formats, frozen header)."""

from __future__ import annotations

from pathlib import Path

from cchc.reports.blocks import Table

NUMBER_FORMATS = {"num": "#,##0.00", "pct": "0.00", "signed": "+0.00;-0.00;0.00", "signed_int": "+0;-0;0", "int": "0"}


def render_xlsx(tables: list[Table], out: str | Path) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    contents = wb.active
    contents.title = "Mục lục"
    contents.append(["Bảng", "Trang tính"])
    used: set[str] = {"Mục lục"}
    for table in tables:
        name = _sheet_name(table.sheet, used)
        ws = wb.create_sheet(name)
        contents.append([table.title, name])
        ws.append(table.header)
        for row in table.rows:
            ws.append([None if v == "" else v for v in row])
        for col, fmt in enumerate(table.formats, start=1):
            if fmt in NUMBER_FORMATS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                    cell.number_format = NUMBER_FORMATS[fmt]
            width = max([len(str(table.header[col - 1]))] + [len(str(r[col - 1] or "")) for r in table.rows[:200]])
            ws.column_dimensions[get_column_letter(col)].width = min(max(8, width + 2), 60)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if table.note:
            ws.cell(row=ws.max_row + 2, column=1, value=table.note)
    if len(tables) == 0:
        contents.append(["Chưa có bảng số liệu nào cho kỳ báo cáo này.", None])
    contents.column_dimensions["A"].width = 70
    contents.column_dimensions["B"].width = 32
    contents["A1"].font = Font(bold=True)
    contents["B1"].font = Font(bold=True)
    out = Path(out)
    wb.save(out)
    return out


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "Bảng"
    candidate, n = base, 2
    while candidate in used:
        suffix = f" {n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate
