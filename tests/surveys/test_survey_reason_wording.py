"""Every reason the survey import gives has a Vietnamese wording (the reasons stay English in files and JSON);
the groups (codes, rows, allowed values) are carried over. The reasons are collected from the importer's own
source, so a new reason without a wording fails here."""

from __future__ import annotations

import ast
import inspect
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cchc.core.reasons import translate
from cchc.surveys import importer
from cchc.surveys.importer import Problem, reason_vi


def _reasons_in_source() -> list[str]:
    """The reason texts of the importer's Problem(...) and flag(...) calls, f-string holes filled with "1"."""
    tree = ast.parse(inspect.getsource(importer))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("Problem", "flag") and node.args:
            arg = node.args[-1]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                out.append(arg.value)
            elif isinstance(arg, ast.JoinedStr):
                out.append("".join(v.value if isinstance(v, ast.Constant) else "1" for v in arg.values))
    return out


REASONS = _reasons_in_source()


def test_the_source_gives_the_known_reasons():
    assert len(REASONS) >= 15 and "missing required answer" in REASONS


@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_has_a_vietnamese_wording(reason):
    vi = reason_vi(reason)
    assert vi != reason, f"no Vietnamese wording for {reason!r}"
    assert Problem("a.csv", 2, "c", "v", reason).reason_vi == vi


def test_groups_are_carried_over():
    assert reason_vi("duplicate respondent id (first at row 17)") == "mã người trả lời bị trùng (lần đầu ở dòng 17)"
    assert reason_vi("answer outside the scale (allowed: 1–5)") == "câu trả lời ngoài thang đo (cho phép: 1–5)"
    assert reason_vi("required column 'channel' (Hình thức nộp hồ sơ) is missing") == (
        "thiếu cột bắt buộc 'channel' (Hình thức nộp hồ sơ)")


@given(st.text(max_size=40))
def test_translate_returns_exact_then_pattern_then_the_reason_itself(text):
    patterns = ((re.compile(r"row (\d+) bad$"), "dòng {0} hỏng"),)
    assert translate(text, {text: "đúng"}, patterns) == "đúng"
    assert translate(f"row {len(text)} bad", {}, patterns) == f"dòng {len(text)} hỏng"
    if not re.match(r"row (\d+) bad$", text):
        assert translate(text, {}, patterns) == text
