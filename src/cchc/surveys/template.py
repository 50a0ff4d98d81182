"""The data-entry workbook (phiếu nhập liệu): one column per attribute and question code.

Sheets:

- ``Phieu`` — data entry. Row 1 holds the column codes (what the importer reads), row 2 the Vietnamese question
  text; responses start on row 3. Answer columns carry a validation list of the allowed codes; attribute columns
  with a fixed list (channel, sex, units when given) validate against the ``DanhMuc`` sheet.
- ``DanhMuc`` — the lists used by the validations.
- ``Codebook`` — every column with its text (vi/en), element, aspect, measure, and each answer code with its
  label and whether it counts as satisfied.
- ``_meta`` (hidden) — instrument id and version, and the number of header rows, so the importer recognises it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from cchc.surveys.model import Instrument

DATA_SHEET = "Phieu"
LISTS_SHEET = "DanhMuc"
CODEBOOK_SHEET = "Codebook"
META_SHEET = "_meta"
HEADER_ROWS = 2
TEMPLATE_ROWS = 2000


def _col_letter(idx: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(idx)


def write_template(inst: Instrument, out: str | Path, units: Sequence[str] | None = None) -> Path:
    """Write the data-entry workbook for ``inst`` to ``out`` and return the path."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    lists = wb.create_sheet(LISTS_SHEET)
    book = wb.create_sheet(CODEBOOK_SHEET)
    meta = wb.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"

    head_font = Font(bold=True)
    attr_fill = PatternFill("solid", fgColor="DDEBF7")
    q_fill = PatternFill("solid", fgColor="FFF2CC")
    last = TEMPLATE_ROWS + HEADER_ROWS
    list_col = 0

    def add_list(name: str, values: Sequence[str]) -> str:
        nonlocal list_col
        list_col += 1
        letter = _col_letter(list_col)
        lists.cell(row=1, column=list_col, value=name).font = head_font
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=list_col, value=v)
        return f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"

    col = 0
    for att in inst.attributes:
        col += 1
        c1 = ws.cell(row=1, column=col, value=att.name)
        c1.font = head_font
        c1.fill = attr_fill
        ws.cell(row=2, column=col, value=att.vi + (" (bắt buộc)" if att.required else "")).fill = attr_fill
        letter = _col_letter(col)
        values = list(att.values or [])
        if att.role == "unit" and units:
            values = list(units)
        if values:
            dv = DataValidation(
                type="list", formula1=add_list(att.name, values), allow_blank=not att.required
            )
            dv.error = f"Giá trị không có trong danh mục {att.name}"
            dv.errorTitle = "Giá trị không hợp lệ"
            ws.add_data_validation(dv)
            dv.add(f"{letter}{HEADER_ROWS + 1}:{letter}{last}")
        elif att.role == "weight":
            dv = DataValidation(type="decimal", operator="greaterThan", formula1="0", allow_blank=True)
            dv.error = "Trọng số phải là số dương"
            ws.add_data_validation(dv)
            dv.add(f"{letter}{HEADER_ROWS + 1}:{letter}{last}")

    for rq in inst.resolved():
        col += 1
        q = rq.q
        c1 = ws.cell(row=1, column=col, value=q.code)
        c1.font = head_font
        c1.fill = q_fill
        c2 = ws.cell(row=2, column=col, value=q.vi)
        c2.alignment = Alignment(wrap_text=True, vertical="top")
        options = rq.scale.options + rq.scale.not_applicable
        legend = "; ".join(f"{o.value} = {o.vi}" for o in options)
        letter = _col_letter(col)
        if rq.scale.type == "multiple":
            c2.comment = Comment(f"Chọn nhiều: ghi các mã cách nhau bởi dấu cách. {legend}", "cchc")
            continue
        c2.comment = Comment(legend, "cchc")
        allowed = ",".join(str(o.value) for o in options)
        formula = f'"{allowed}"' if len(allowed) <= 250 else add_list(q.code, [str(o.value) for o in options])
        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.error = f"Câu {q.code}: chỉ nhập một trong các mã {allowed}"
        dv.errorTitle = "Giá trị không hợp lệ"
        ws.add_data_validation(dv)
        dv.add(f"{letter}{HEADER_ROWS + 1}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=HEADER_ROWS + 1, column=1)
    ws.row_dimensions[2].height = 60

    headers = [
        "column",
        "kind",
        "text_vi",
        "text_en",
        "aspect",
        "element",
        "measure",
        "required",
        "value",
        "label_vi",
        "label_en",
        "counts_as_satisfied",
    ]
    book.append(headers)
    for cell in book[1]:
        cell.font = head_font
    for att in inst.attributes:
        book.append(
            [att.name, f"attribute:{att.role}", att.vi, att.en, "", "", "", att.required, "", "", "", ""]
        )
        for v in att.values or []:
            book.append([att.name, "value", "", "", "", "", "", "", v, att.labels_vi.get(v, ""), "", ""])
    for rq in inst.resolved():
        q = rq.q
        book.append(
            [
                q.code,
                f"question:{rq.scale.type}",
                q.vi,
                q.en,
                rq.aspect,
                rq.element,
                q.measure,
                q.required,
                "",
                "",
                "",
                "",
            ]
        )
        sat = {str(v) for v in rq.satisfied_values}
        for o in rq.scale.options:
            book.append([q.code, "value", "", "", "", "", "", "", o.value, o.vi, o.en, str(o.value) in sat])
        for o in rq.scale.not_applicable:
            book.append([q.code, "not_applicable", "", "", "", "", "", "", o.value, o.vi, o.en, False])
    book.freeze_panes = "A2"

    meta.append(["instrument", inst.id])
    meta.append(["version", inst.version])
    meta.append(["header_rows", HEADER_ROWS])
    meta.append(["status", inst.status])

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def write_xlsform(inst: Instrument, out: str | Path, units: Sequence[str] | None = None) -> Path:
    """Write an XLSForm (sheets ``survey``, ``choices``, ``settings``) for KoBoToolbox or ODK Central.

    Field names are the instrument's codes (or ``xlsform_name``), grouped by aspect, and choice names are the
    answer codes, so the platform's export imports back without any mapping. Labels are Vietnamese and English.
    """
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    choices = wb.create_sheet("choices")
    settings = wb.create_sheet("settings")
    survey.append(
        ["type", "name", "label::Tiếng Việt (vi)", "label::English (en)", "required", "hint::Tiếng Việt (vi)"]
    )
    choices.append(["list_name", "name", "label::Tiếng Việt (vi)", "label::English (en)"])
    lists_done: set[str] = set()

    def add_choices(list_name: str, items: Sequence[tuple[str, str, str]]) -> None:
        if list_name in lists_done:
            return
        lists_done.add(list_name)
        for name, vi, en in items:
            choices.append([list_name, name, vi, en or vi])

    survey.append(["begin_group", "thong_tin", "Thông tin người trả lời", "Respondent", "", ""])
    for att in inst.attributes:
        if att.role == "weight":
            continue  # weights are computed after fieldwork
        name = att.xlsform_name or att.name
        values = list(units) if (att.role == "unit" and units) else list(att.values or [])
        required = "yes" if att.required else ""
        if values:
            list_name = f"ds_{att.name}"
            add_choices(list_name, [(_choice_name(v), att.labels_vi.get(v, v), "") for v in values])
            survey.append([f"select_one {list_name}", name, att.vi, att.en or att.vi, required, ""])
        else:
            survey.append(["text", name, att.vi, att.en or att.vi, required, ""])
    survey.append(["end_group", "thong_tin", "", "", "", ""])
    for a in inst.aspects:
        survey.append(["begin_group", f"g_{a.code}", a.vi, a.en or a.vi, "", ""])
        for e in a.elements:
            for q in e.questions:
                rq = inst.question(q.code)
                list_name = f"scale_{q.scale}"
                opts = [(str(o.value), o.vi, o.en) for o in rq.scale.options + rq.scale.not_applicable]
                add_choices(list_name, opts)
                kind = "select_multiple" if rq.scale.type == "multiple" else "select_one"
                survey.append(
                    [
                        f"{kind} {list_name}",
                        q.xlsform_name or q.code,
                        q.vi,
                        q.en or q.vi,
                        "yes" if q.required else "",
                        e.vi,
                    ]
                )
        survey.append(["end_group", f"g_{a.code}", "", "", "", ""])
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([inst.title_vi, inst.id, inst.version or "1", "Tiếng Việt (vi)"])
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def _choice_name(value: str) -> str:
    """XLSForm choice names cannot hold spaces; units keep their full name as the label."""
    return "_".join(str(value).split())
