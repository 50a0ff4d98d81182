"""The plan's task table as officials write it (XLSX): import tasks atomically, export the same table with status.

Columns (header row, any order; Vietnamese names, matching ignores case, accents and spacing are NFC-normalised):
``STT``, ``Nhiệm vụ`` (required), ``Nội dung``, ``Đơn vị chủ trì`` (required; unit code or name),
``Đơn vị phối hợp`` (codes or names separated by ``;`` or ``,``), ``Thời hạn`` (date cell or dd/mm/yyyy),
``Sản phẩm``, ``Mức ưu tiên`` (Cao / Bình thường / Thấp), ``Tiêu chí`` (criterion codes, comma-separated).
The export adds ``Trạng thái``, ``Tiến độ (%)``, ``Ngày hoàn thành`` and ``Kết quả``. See docs/formats/plans.md.

The reward proposals of the rewards page are exported here too (:func:`export_rewards`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cchc.steering.tasks import LABELS_VI
from cchc.web.org.models import Unit

from .models import Priority, Task

COLUMNS = [
    ("number", "STT"), ("title", "Nhiệm vụ"), ("description", "Nội dung"), ("lead_unit", "Đơn vị chủ trì"),
    ("coordinating", "Đơn vị phối hợp"), ("deadline", "Thời hạn"), ("expected_output", "Sản phẩm"),
    ("priority", "Mức ưu tiên"), ("criteria", "Tiêu chí"),
]
STATUS_COLUMNS = ["Trạng thái", "Tiến độ (%)", "Ngày hoàn thành", "Kết quả"]
ALIASES = {"thoi han hoan thanh": "deadline", "san pham du kien": "expected_output", "co quan chu tri": "lead_unit",
           "co quan phoi hop": "coordinating", "noi dung nhiem vu": "title", "ten nhiem vu": "title",
           "tieu chi phuc vu": "criteria", "uu tien": "priority"}
PRIORITIES = {"cao": Priority.HIGH, "binh thuong": Priority.NORMAL, "thap": Priority.LOW, "high": Priority.HIGH,
              "normal": Priority.NORMAL, "low": Priority.LOW, "": Priority.NORMAL}


class ImportError_(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def fold(text) -> str:
    """Lower case, no accents, single spaces: 'Đơn vị  chủ trì' → 'don vi chu tri'."""
    s = unicodedata.normalize("NFD", str(text or "")).replace("đ", "d").replace("Đ", "D")
    s = "".join(c for c in s if unicodedata.category(c) != "Mn")
    return re.sub(r"\s+", " ", s).strip().lower()


HEADERS = {fold(label): key for key, label in COLUMNS} | ALIASES


def _col(i: int) -> str:

    return get_column_letter(i + 1)


def _unit_lookup():

    table = {}
    for u in Unit.objects.all():
        table[fold(u.code)] = u
        table[fold(u.name)] = u
    return table


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    m = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", str(value))
    ymd = (int(m[3]), int(m[2]), int(m[1])) if m else None
    m = None if ymd else re.fullmatch(r"\s*(\d{4})-(\d{2})-(\d{2})\s*", str(value))
    ymd = ymd or ((int(m[1]), int(m[2]), int(m[3])) if m else None)
    if ymd is None:
        raise ValueError(_("“%(value)s” không phải ngày (dd/mm/yyyy)") % {"value": value})
    try:
        return dt.date(*ymd)
    except ValueError:  # 32/13/2026, 30/02/2026: the date does not exist
        raise ValueError(_("“%(value)s” không phải ngày có thật (ngày/tháng không hợp lệ; dd/mm/yyyy)")
                         % {"value": value}) from None


def read_tasks(data: bytes, sheet: str | None = None) -> list[dict]:
    """Parse and check every row; raise :class:`ImportError_` listing every problem as ``row R, column C``."""

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — any unreadable file is one problem for the person
        raise ImportError_([_("không đọc được tệp XLSX (tệp không phải bảng tính Excel .xlsx): %(e)s") % {"e": exc}]) from None
    ws = wb[sheet] if sheet else wb.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    header_at = next((i for i, r in enumerate(rows[:10]) if any(fold(c) in HEADERS for c in r if c)), None)
    if header_at is None:
        raise ImportError_([_("không tìm thấy dòng tiêu đề (cần có cột “Nhiệm vụ” và “Đơn vị chủ trì”)")])
    cols = {HEADERS[fold(c)]: j for j, c in enumerate(rows[header_at]) if c and fold(c) in HEADERS}
    problems = [_("dòng %(n)s: thiếu cột “%(col)s”") % {"n": header_at + 1, "col": label} for key, label in COLUMNS
                if key in ("title", "lead_unit") and key not in cols]
    if problems:
        raise ImportError_(problems)
    units = _unit_lookup()
    out = []
    for i, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        def cell(key, row=row):
            j = cols.get(key)
            v = row[j] if j is not None and j < len(row) else None
            return v.strip() if isinstance(v, str) else v

        if all(v in (None, "") for v in row):
            continue

        def where(key, i=i):
            return _("dòng %(n)s, cột %(col)s (%(head)s)") % {"n": i, "col": _col(cols[key]), "head": dict(COLUMNS)[key]}

        title = cell("title")
        if not title:
            problems.append(_("%(where)s: thiếu tên nhiệm vụ") % {"where": where("title")})
        lead = units.get(fold(cell("lead_unit")))
        if lead is None:
            problems.append(_("%(where)s: không có đơn vị “%(unit)s” trong danh mục")
                            % {"where": where("lead_unit"), "unit": cell("lead_unit") or ""})
        coord = []
        if "coordinating" in cols and cell("coordinating"):
            for name in re.split(r"[;,\n]", str(cell("coordinating"))):
                if not name.strip():
                    continue
                u = units.get(fold(name))
                if u is None:
                    problems.append(_("%(where)s: không có đơn vị “%(unit)s” trong danh mục")
                                    % {"where": where("coordinating"), "unit": name.strip()})
                else:
                    coord.append(u)
        deadline = None
        if "deadline" in cols:
            try:
                deadline = _date(cell("deadline"))
            except ValueError as exc:
                problems.append(f"{where('deadline')}: {exc}")
        priority = Priority.NORMAL
        if "priority" in cols:
            priority = PRIORITIES.get(fold(cell("priority")))
            if priority is None:
                problems.append(_("%(where)s: “%(value)s” không phải Cao / Bình thường / Thấp")
                                % {"where": where("priority"), "value": cell("priority")})
        out.append({"number": str(cell("number") or "")[:20], "title": str(title or "")[:500],
                    "description": str(cell("description") or ""), "lead_unit": lead, "coordinating": coord,
                    "deadline": deadline, "expected_output": str(cell("expected_output") or "")[:500],
                    "priority": priority or Priority.NORMAL,
                    "criteria": ", ".join(c.strip() for c in str(cell("criteria") or "").split(",") if c.strip())})
    if problems:
        raise ImportError_(problems)
    if not out:
        raise ImportError_([_("tệp không có dòng nhiệm vụ nào")])
    return out


def import_tasks(plan, data: bytes, user=None) -> list[Task]:
    """All rows or none."""
    rows = read_tasks(data)
    made = []
    with transaction.atomic():
        for r in rows:
            coord = r.pop("coordinating")
            task = Task(plan=plan, source="plan", source_ref=plan.decision or plan.title, **r)
            if getattr(user, "is_authenticated", False):
                task._history_user = user
            task._change_reason = "Nhập từ bảng kế hoạch (XLSX)"
            task.save()
            task.coordinating_units.set(coord)
            made.append(task)
    return made


def export_tasks(tasks, title: str = "") -> bytes:

    wb = Workbook()
    ws = wb.active
    ws.title = "Nhiệm vụ"
    ws.append([title] if title else [])
    ws.append([label for _k, label in COLUMNS] + STATUS_COLUMNS)
    for c in ws[2]:
        c.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 2
    for t in tasks:
        state = t.display_state()
        ws.append([t.number, t.title, t.description, t.lead_unit.name,
                   "; ".join(u.name for u in t.coordinating_units.all()), t.deadline, t.expected_output,
                   t.get_priority_display(), t.criteria, LABELS_VI.get(state, state), t.latest_percent,
                   t.completed_on, t.completion_note or t.cancel_reason])
        row += 1
        for col in (6, 12):
            ws.cell(row, col).number_format = "DD/MM/YYYY"
        for col in (2, 3, 13):
            ws.cell(row, col).alignment = wrap
    for letter, width in zip("ABCDEFGHIJKLM", (6, 50, 40, 28, 28, 12, 30, 12, 12, 16, 10, 14, 40), strict=True):
        ws.column_dimensions[letter].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def export_rewards(cycle, rows, rules) -> bytes:
    """The reward proposals of a published cycle (the rewards page's rows) under the rules that made them."""

    wb = Workbook()
    ws = wb.active
    ws.title = "Đề xuất khen thưởng"
    ws.append([f"Đề xuất khen thưởng theo kết quả Chỉ số CCHC — {cycle.name}"])
    ws.append([f"Quy tắc: {rules.name_vi}" if rules else ""])
    ws.append(["Nhóm", "Thứ hạng", "Đơn vị", "Chỉ số (%)", "Xếp loại", "Xếp loại năm trước", "Đề nghị", "Lý do"])
    for c in ws[3]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([r["group"], r["rank"], r["unit_name"], r["index"], r["band"], r["previous_band"],
                   "Đề nghị" if r["candidate"] else "Không", "; ".join(r["reasons"])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
