"""A unit without a result, or excluded by the council with a reason, is never ranked, never given a band and never
shown a change in places; ties among real results stay competition ranks (issue 14)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.core.comparison import compare_cycles
from cchc.core.scoring import LeafInput, UnitAssessment, score_cycle
from cchc.frameworks import load_framework

FW = load_framework("example-department")
LEAVES = [leaf for leaf in FW.leaves("department") if leaf.kind in (None, "manual") and not leaf.is_signed]


def unit(code: str, share: float | None, excluded: str | None = None) -> UnitAssessment:
    """Every manual leaf at ``share`` of its maximum; ``None``: nothing entered."""
    inputs = {} if share is None else {leaf.code: LeafInput(self_points=_level(leaf, share)) for leaf in LEAVES}
    return UnitAssessment(code=code, name=f"Sở {code}", unit_type="department", inputs=inputs, excluded=excluded)


def _level(leaf, share: float) -> float:
    levels = getattr(leaf.method, "levels", None)
    top = float(leaf.max_points or 0)
    if levels:
        return min((float(lv.points) for lv in levels), key=lambda p: abs(p - share * top))
    return round(share * top, 2)


def test_a_unit_with_nothing_entered_has_no_rank_no_band_no_index():
    result = score_cycle(FW, [unit("A", 1.0), unit("B", 0.5), unit("C", None)])
    c = result.unit("C")
    assert not c.ranked and c.rank == 0 and c.band is None and math.isnan(c.index)
    assert [result.unit(x).rank for x in "AB"] == [1, 2] and result.unit("A").of == 2


def test_an_excluded_unit_keeps_its_reason_and_is_not_ranked():
    result = score_cycle(FW, [unit("A", 0.5), unit("B", 1.0, excluded="Sáp nhập giữa kỳ")])
    b = result.unit("B")
    assert b.excluded == "Sáp nhập giữa kỳ" and not b.ranked and b.band is None
    assert result.unit("A").rank == 1 and result.unit("A").of == 1  # the excluded unit takes no place


def test_no_change_in_places_for_a_unit_without_rank_now_or_then():
    last = score_cycle(FW, [unit("A", 0.9), unit("B", None), unit("C", 0.4)])
    now = score_cycle(FW, [unit("A", 0.5), unit("B", 0.8), unit("C", 0.2, excluded="lý do")])
    changes = compare_cycles(now, last)
    assert changes["B"].delta_rank is None and changes["B"].prev_index is None  # no baseline last year
    assert changes["C"].delta_rank is None and changes["C"].band_to is None  # excluded now
    assert changes["A"].delta_rank is not None


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 0.5, 1.0])), min_size=1, max_size=7))
def test_ranks_are_competition_ranks_among_units_with_a_result(shares):
    units = [unit(f"U{i}", s) for i, s in enumerate(shares)]
    result = score_cycle(FW, units)
    ranked = [u for u in result.units if u.ranked]
    assert {u.code for u in ranked} == {f"U{i}" for i, s in enumerate(shares) if s is not None}
    for u in ranked:
        assert u.rank == 1 + sum(v.index > u.index for v in ranked) and u.of == len(ranked)
    assert all(u.rank == 0 and u.band is None for u in result.units if not u.ranked)


def test_the_decision_annex_says_not_ranked_and_why_instead_of_a_place():
    from cchc.reports.sections import decision_annex_tables

    result = score_cycle(FW, [unit("A", 0.8), unit("B", 1.0, excluded="Sáp nhập giữa kỳ"), unit("C", None)])
    rows = {r[1]: r for t in decision_annex_tables(FW, result, 2026) for r in t.rows}
    assert rows["Sở A"][-2:] == [1, result.unit("A").band.label_vi]
    assert rows["Sở B"][-2:] == [None, "Không xếp hạng (Sáp nhập giữa kỳ)"]
    assert rows["Sở C"][-2:] == [None, "Không xếp hạng (chưa có kết quả)"]
    assert rows["Sở B"][-3] is None and rows["Sở C"][-3] is None  # no index either
