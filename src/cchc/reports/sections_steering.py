"""Report sections 5–7 from steering rows (plain dicts, as :mod:`cchc.web.steering.services` returns them):
task completion per unit and the overdue list, targets and their attainment, reward proposals, and the tasks for
the next period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from cchc.core.numbers import format_number_vi
from cchc.reports.blocks import Paragraph, Section, Table
from cchc.steering.targets import LABELS_VI as ATTAINMENT_VI
from cchc.steering.targets import metric_label_vi, requirement_vi, value_text
from cchc.steering.tasks import LABELS_VI

TASKS_TITLE = "Thực hiện nhiệm vụ, chỉ tiêu cải cách hành chính"
REWARDS_TITLE = "Đề xuất khen thưởng"
NEXT_TITLE = "Nhiệm vụ trọng tâm kỳ tới"
KIND = "steering"


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else ("" if value is None else str(value))


def tasks_section(figures: Sequence[dict], overdue: Sequence[dict], targets: Sequence[dict], period_label: str) -> Section:
    section = Section(TASKS_TITLE, kind=KIND)
    if not figures and not targets:
        section.blocks.append(Paragraph(f"Chưa có nhiệm vụ hoặc chỉ tiêu đến hạn trong kỳ {period_label}.", "note"))
        section.available = False
        return section
    if figures:
        due = sum(f["due"] - f["cancelled"] for f in figures)
        done = sum(f["done_on_time"] + f["done_late"] for f in figures)
        late = sum(f["overdue"] for f in figures)
        rate = f"{format_number_vi(100 * done / due, 2)}%" if due else "—"
        section.blocks.append(Paragraph(
            f"Trong kỳ {period_label} có {due} nhiệm vụ đến hạn (không kể nhiệm vụ đã hủy), đã hoàn thành {done} "
            f"nhiệm vụ (tỷ lệ {rate}); {late} nhiệm vụ quá hạn chưa hoàn thành."
        ))
        section.blocks.append(Table(
            f"Kết quả thực hiện nhiệm vụ theo đơn vị, kỳ {period_label}", "Nhiệm vụ theo đơn vị",
            ["Đơn vị", "Đến hạn", "Đúng hạn", "Trễ hạn", "Quá hạn", "Hủy", "Chưa đến hạn", "Tỷ lệ hoàn thành (%)"],
            [[f["key"], f["due"], f["done_on_time"], f["done_late"], f["overdue"], f["cancelled"], f["open_not_due"],
              f["completion_rate"]] for f in figures],
            ["text", "int", "int", "int", "int", "int", "int", "num"],
        ))
    if overdue:
        section.blocks.append(Table(
            "Danh sách nhiệm vụ quá hạn", "Nhiệm vụ quá hạn", ["Nhiệm vụ", "Đơn vị chủ trì", "Hạn", "Kế hoạch"],
            [[o["title"], o["lead_unit"], _date(o["deadline"]), o.get("plan") or ""] for o in overdue],
            ["text", "text", "text", "text"],
        ))
    if targets:
        met = sum(1 for t in targets if t["status"] == "met")
        section.blocks.append(Paragraph(f"Chỉ tiêu: {met}/{len(targets)} chỉ tiêu đã đạt."))
        section.blocks.append(Table(
            "Chỉ tiêu và mức độ đạt được", "Chỉ tiêu",
            ["Nguồn", "Chỉ tiêu", "Chỉ số", "Yêu cầu", "Hạn", "Giá trị gần nhất", "Đánh giá"],
            [[t["source"], t.get("description") or "", t.get("metric_label") or metric_label_vi(t["metric"]),
              requirement_vi(t["metric"], t["comparator"], t["value"]), _date(t["deadline"]),
              value_text(t.get("latest"), t["metric"], t["comparator"]), ATTAINMENT_VI[t["status"]]] for t in targets],
            ["text", "text", "text", "text", "text", "text", "text"],
        ))
    return section


def rewards_section(rows: Sequence[dict], year: int) -> Section:
    section = Section(REWARDS_TITLE, kind=KIND)
    if not rows:
        section.blocks.append(Paragraph(f"Chưa có kết quả Chỉ số CCHC năm {year} đã công bố để đề xuất khen thưởng.", "note"))
        section.available = False
        return section
    proposed = [r for r in rows if r["candidate"]]
    section.blocks.append(Paragraph(
        f"Căn cứ kết quả Chỉ số CCHC năm {year}, đề nghị khen thưởng {len(proposed)} đơn vị: "
        + (", ".join(f"{r['unit_name']} ({format_number_vi(r['index'], 2)}%)" for r in proposed) or "không có") + "."
    ))
    section.blocks.append(Table(
        f"Đề xuất khen thưởng theo kết quả Chỉ số CCHC năm {year}", "Đề xuất khen thưởng",
        ["Nhóm", "Hạng", "Đơn vị", "Chỉ số (%)", "Xếp loại", "Xếp loại năm trước", "Đề nghị", "Lý do không đề nghị"],
        [[r["group"], r["rank"], r["unit_name"], r["index"], r["band"], r.get("previous_band") or "",
          "Có" if r["candidate"] else "Không", "; ".join(r["reasons"])] for r in rows],
        ["text", "int", "text", "num", "text", "text", "text", "text"],
    ))
    return section


def next_tasks_section(rows: Sequence[dict], months: int = 6, open_count: int | None = None) -> Section:
    """``rows``: open tasks due within ``months`` months (overdue ones included); ``open_count``: how many tasks
    are open in all, when known — "no open task" is said only when none is open."""
    section = Section(NEXT_TITLE, kind=KIND)
    if not rows:
        if open_count == 0:
            text = "Chưa có nhiệm vụ đang mở cho kỳ tới."
        elif open_count:
            text = (f"Không có nhiệm vụ đang mở đến hạn trong {months} tháng tới; {open_count} nhiệm vụ đang mở "
                    "có hạn muộn hơn hoặc chưa có hạn.")
        else:
            text = f"Không có nhiệm vụ đang mở đến hạn trong {months} tháng tới."
        section.blocks.append(Paragraph(text, "note"))
        section.available = False
        return section
    section.blocks.append(Paragraph(f"Các nhiệm vụ cần tập trung thực hiện trong {months} tháng tới (gồm cả nhiệm vụ đang quá hạn):"))
    section.blocks.append(Table(
        "Nhiệm vụ trọng tâm kỳ tới", "Nhiệm vụ kỳ tới", ["Nhiệm vụ", "Đơn vị chủ trì", "Hạn", "Tình trạng", "Tiêu chí"],
        [[r["title"], r["lead_unit"], _date(r["deadline"]), LABELS_VI.get(r["state"], r["state"]), ", ".join(r.get("criteria") or [])]
         for r in rows],
        ["text", "text", "text", "text", "text"],
    ))
    return section
