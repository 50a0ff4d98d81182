"""Issue 14, "Wording": no internal codes in a document, a rank target printed as a rank, the verdict worded once,
"no open task" only when none is open, unit groups named by what they are, proper nouns keep their capitals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cchc.core.scoring import score_cycle
from cchc.frameworks import load_framework
from cchc.io.assessments import read_assessments
from cchc.reports.blocks import Paragraph, Table
from cchc.reports.sections import (
    InternalIndex,
    decision_annex_tables,
    group_label,
    in_sentence,
    internal_section,
)
from cchc.reports.sections_steering import next_tasks_section, tasks_section
from cchc.steering.targets import LABELS_VI

ASSESSMENT = Path(__file__).parents[2] / "examples" / "assessment_departments_2025.csv"
CODES = ("par_index_rank", "field:3", "board", "department", "task_completion", "sipas")


def _targets():
    return [
        {"source": "NQ 18-NQ/TU", "description": "", "metric": "par_index_rank", "comparator": "top", "value": 40.0,
         "deadline": dt.date(2027, 12, 31), "latest": 43.0, "status": "on_track", "label_vi": "Không đạt"},
        {"source": "KH 12", "description": "", "metric": "field:3", "comparator": ">=", "value": 85.0,
         "deadline": dt.date(2027, 12, 31), "latest": 84.0, "status": "at_risk", "label_vi": "?"},
    ]


def _texts(section) -> list[str]:
    out = [section.title]
    for b in section.blocks:
        if isinstance(b, Paragraph):
            out.append(b.text)
        elif isinstance(b, Table):
            out += [b.title, b.sheet, *b.header, *(str(c) for row in b.rows for c in row if c is not None)]
    return out


def test_targets_table_names_metrics_and_prints_ranks_as_ranks():
    section = tasks_section([], [], _targets(), "6 tháng đầu năm 2026")
    table = next(b for b in section.blocks if isinstance(b, Table))
    rank, field = table.rows
    assert rank[2] == "Xếp hạng Chỉ số CCHC (PAR INDEX) của tỉnh" and rank[3] == "trong nhóm 40 đứng đầu"
    assert rank[5] == "43"  # a rank, never "43,00"
    assert field[2] == "Chỉ số thành phần lĩnh vực 3" and field[3] == "≥ 85" and field[5] == "84,00"
    assert not [t for t in _texts(section) for code in CODES if code in t]


def test_verdict_is_the_core_wording():
    section = tasks_section([], [], _targets(), "6 tháng đầu năm 2026")
    table = next(b for b in section.blocks if isinstance(b, Table))
    assert [r[-1] for r in table.rows] == [LABELS_VI["on_track"], LABELS_VI["at_risk"]]


def test_no_open_task_only_when_none_is_open():
    assert "Chưa có nhiệm vụ đang mở" not in " ".join(_texts(next_tasks_section([], 6, open_count=3)))
    assert "3 nhiệm vụ đang mở" in " ".join(_texts(next_tasks_section([], 6, open_count=3)))
    assert "Chưa có nhiệm vụ đang mở" not in " ".join(_texts(next_tasks_section([])))
    assert "Chưa có nhiệm vụ đang mở" in " ".join(_texts(next_tasks_section([], 6, open_count=0)))


def test_group_nouns_come_from_a_table_that_can_be_overridden():
    assert group_label("board") != "Các ban quản lý" and "ban quản lý" not in group_label("board").lower()
    assert group_label("board", overrides={"board": "Các cơ quan Trung ương đóng trên địa bàn"}) == \
        "Các cơ quan Trung ương đóng trên địa bàn"
    fw = load_framework("example-department")
    assert group_label(None, fw) == "Các sở, ban, ngành"
    assert in_sentence(group_label("commune")) == "UBND các xã"
    assert in_sentence("Các sở") == "các sở"


def test_internal_section_and_annex_carry_no_unit_type_code():
    fw = load_framework("example-department")
    cycle = score_cycle(fw, read_assessments(ASSESSMENT, fw))
    labels = {"board": "Các cơ quan ngành dọc"}
    texts = _texts(internal_section(InternalIndex(fw, cycle, 2025, group_labels=labels)))
    for t in decision_annex_tables(fw, cycle, 2025, labels):
        texts += [t.title, t.sheet]
    assert not [t for t in texts if "board" in t or "department" in t]
    if any(u.group == "board" for u in cycle.units):
        assert any("các cơ quan ngành dọc" in t for t in texts)
