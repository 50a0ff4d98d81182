"""Scoring rules and their properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.core.framework import LinearConversion, RatioMethod, Step, TableConversion
from cchc.core.methods import ratio_points, survey_points
from cchc.core.scoring import (
    LeafInput,
    ScoringError,
    UnitAssessment,
    compile_framework,
    score_cycle,
    score_matrix,
)
from cchc.frameworks import load_framework

DEPT = load_framework("example-department")
COMMUNE = load_framework("example-commune")
COMPILED = compile_framework(DEPT)
REGULAR = [leaf for leaf in COMPILED.leaves if not leaf.is_signed]


def full_marks(framework, unit_type):
    return {leaf.code: LeafInput(self_points=leaf.max_points) for leaf in framework.leaves(unit_type) if not leaf.is_signed}


def test_full_marks_give_100_and_missing_inputs_are_listed():
    cycle = score_cycle(DEPT, [
        UnitAssessment("A", "Sở A", "department", inputs=full_marks(DEPT, "department")),
        UnitAssessment("B", "Sở B", "department", inputs={"1.1.1": LeafInput(self_points=1)}),
    ])
    a, b = cycle.unit("A"), cycle.unit("B")
    assert a.index == 100 and a.rank == 1 and a.band.label_vi == "Xuất sắc"
    assert b.index == 1.0 and b.rank == 2 and b.band.label_vi == "Yếu"
    assert "1.1.2" in b.missing and "1.1.1" not in b.missing


def test_appraised_wins_over_computed_and_self():
    inputs = full_marks(DEPT, "department")
    inputs["3.2.1"] = LeafInput(self_points=4, numerator=96, denominator=100, appraised_points=1)
    unit = score_cycle(DEPT, [UnitAssessment("A", "A", "department", inputs=inputs)]).unit("A")
    assert unit.leaf_points["3.2.1"] == 1
    inputs["3.2.1"] = LeafInput(self_points=4, numerator=96, denominator=100)
    unit = score_cycle(DEPT, [UnitAssessment("A", "A", "department", inputs=inputs)]).unit("A")
    assert unit.leaf_points["3.2.1"] == 2  # computed from the step table (95 ≤ 96 < 98 → 2), not the self-score 4


def test_non_applicable_leaf_leaves_points_and_maximum():
    board = score_cycle(DEPT, [UnitAssessment("B", "Ban", "board", inputs=full_marks(DEPT, "board"))]).unit("B")
    assert board.max_points == 92  # 2.1 (4) and 6.1 (4) apply to departments only
    assert board.index == 100
    assert "2.1" not in board.nodes and board.nodes["2"].max_points == 4
    with pytest.raises(ScoringError, match="B: 6.1: does not apply to unit type 'board'"):
        score_cycle(DEPT, [UnitAssessment("B", "Ban", "board", inputs={"6.1": LeafInput(self_points=4)})])


def test_bonus_and_penalty_are_signed_and_outside_the_maximum():
    inputs = full_marks(DEPT, "department") | {"1.4.1": LeafInput(self_points=0), "6.2": LeafInput(self_points=0)}
    base = score_cycle(DEPT, [UnitAssessment("A", "A", "department", inputs=inputs)]).unit("A")
    inputs["9.1"] = LeafInput(self_points=2)
    inputs["9.2"] = LeafInput(appraised_points=0.5)
    after = score_cycle(DEPT, [UnitAssessment("A", "A", "department", inputs=inputs)]).unit("A")
    assert after.max_points == base.max_points == 100
    assert after.total == pytest.approx(base.total + 2 - 0.5)


def test_bonus_cannot_lift_index_above_100():
    inputs = full_marks(DEPT, "department") | {"9.1": LeafInput(self_points=2)}
    assert score_cycle(DEPT, [UnitAssessment("A", "A", "department", inputs=inputs)]).unit("A").index == 100


def test_bad_inputs_are_all_reported():
    with pytest.raises(ScoringError) as info:
        score_cycle(DEPT, [
            UnitAssessment("A", "A", "department", inputs={
                "1.1.1": LeafInput(self_points=0.7),  # not a level
                "1.4.1": LeafInput(self_points=3),  # above max 2
                "x.y": LeafInput(self_points=1),
                "9.2": LeafInput(self_points=4),  # above cap 3
            }),
            UnitAssessment("Z", "Z", "district"),
        ])
    text = "\n".join(info.value.problems)
    assert "A: 1.1.1: self_points: points 0.7 are not one of the level table's 1, 0.5, 0" in text
    assert "A: 1.4.1: self_points: points 3 outside 0…2" in text
    assert "A: x.y: no such leaf" in text
    assert "A: 9.2: self_points: penalty points 4 outside 0…3" in text
    assert "Z: unit type 'district' is not one of the framework's" in text


def test_ties_share_a_rank_within_unit_type_groups():
    same = full_marks(COMMUNE, "commune")
    cycle = score_cycle(COMMUNE, [
        UnitAssessment("X1", "Xã Bình An", "commune", inputs=same),
        UnitAssessment("X2", "Xã An Phú", "commune", inputs=same),
        UnitAssessment("X3", "Xã Cư Jút", "commune", inputs={"1.1": LeafInput(self_points=2)}),
        UnitAssessment("P1", "Phường 1", "ward", inputs={"1.1": LeafInput(self_points=2)}),
    ])
    ranks = [(u.code, u.rank, u.of) for u in cycle.units]
    # ties are listed by name: An Phú before Bình An
    assert ranks == [("X2", 1, 3), ("X1", 1, 3), ("X3", 3, 3), ("P1", 1, 1)]


def test_kon_tum_2023_composition_golden():
    fw = load_framework("par-index-876-composition")
    unit = score_cycle(fw, [UnitAssessment("KT", "Kon Tum", "province", inputs={
        "appraisal": LeafInput(appraised_points=54.95), "leaders": LeafInput(appraised_points=18.33),
        "sipas": LeafInput(survey_index=82.10, appraised_points=8.5), "impact": LeafInput(appraised_points=4.36),
    })]).unit("KT")
    assert unit.index == 86.14
    assert unit.band.code == "B"
    assert round(unit.lost["appraisal"], 2) == 6.55
    # the assumed linear conversion would have given 8.21, which is why the published 8.5 is entered as appraised
    assert float(survey_points(82.10, LinearConversion(), 10)) == pytest.approx(8.21)


def test_kon_tum_field_indices_from_unrounded_points():
    # 12.38/13 → 95.23 %; 9.72/10.5 is printed 92.56 %, so the unrounded points were in [9.7185, 9.7195)
    fw = load_framework("par-index-876-provincial")
    from cchc.core.numbers import round_half_up

    assert round_half_up(12.38 / fw.node("3").max_points * 100, 2) == 95.23
    assert round_half_up(9.7188 / fw.node("4").max_points * 100, 2) == 92.56
    assert round_half_up(9.7188, 2) == 9.72
    assert round_half_up(9.415 / fw.node("2").max_points * 100, 2) == 94.15


# ---- properties ---------------------------------------------------------------------------------------

points_matrix = st.integers(1, 12).flatmap(
    lambda n: st.lists(
        st.lists(st.floats(0, 1, allow_nan=False), min_size=len(COMPILED.leaves), max_size=len(COMPILED.leaves)),
        min_size=n, max_size=n,
    )
)


def _scaled(shares):
    arr = np.array(shares) * np.where(COMPILED.regular, COMPILED.leaf_max, 0.0)
    caps = np.array([leaf.method.cap if leaf.is_signed else 0 for leaf in COMPILED.leaves])
    return arr + np.array(shares) * caps


@settings(max_examples=60, deadline=None)
@given(points_matrix, st.data())
def test_matrix_scoring_properties(shares, data):
    pts = _scaled(shares)
    types = [data.draw(st.sampled_from(["department", "board"])) for _ in range(len(shares))]
    s = score_matrix(COMPILED, pts, types)
    assert np.all((s.index >= 0) & (s.index <= 100))
    for u, unit_type in enumerate(types):
        mask = COMPILED.mask(unit_type)
        expected = (np.where(mask, pts[u] * COMPILED.sign, 0)).sum()
        assert s.total[u] == pytest.approx(expected)
        assert s.max_points[u] == pytest.approx(100 if unit_type == "department" else 92)
        # every inner node = sum of its children
        for node, _ in DEPT.walk():
            if node.children:
                n = COMPILED.node_codes.index(node.code)
                kids = [COMPILED.node_codes.index(c.code) for c in node.children]
                assert s.node_points[u, n] == pytest.approx(s.node_points[u, kids].sum())


@settings(max_examples=60, deadline=None)
@given(points_matrix, st.integers(0, len(REGULAR) - 1), st.floats(0, 1))
def test_more_points_never_lower_the_index(shares, leaf, extra):
    pts = _scaled(shares)
    i = COMPILED.leaf_index[REGULAR[leaf].code]
    better = pts.copy()
    better[:, i] = np.minimum(better[:, i] + extra * COMPILED.leaf_max[i], COMPILED.leaf_max[i])
    types = ["department"] * len(shares)
    assert np.all(score_matrix(COMPILED, better, types).index >= score_matrix(COMPILED, pts, types).index - 1e-9)


@given(st.floats(-50, 200), st.floats(-50, 200), st.floats(0.5, 20), st.floats(1, 100))
def test_ratio_points_bounded_and_monotone(r1, r2, top, full_at):
    m = RatioMethod(full_at=full_at)
    lo, hi = sorted((r1, r2))
    a, b = float(ratio_points(lo, m, top)), float(ratio_points(hi, m, top))
    assert 0 <= a <= b <= top + 1e-9


@given(st.floats(0, 100), st.floats(0, 100))
def test_survey_table_conversion_monotone(x, y):
    conv = TableConversion(steps=[Step(min=70, points=6), Step(min=80, points=8.5), Step(min=90, points=10)])
    lo, hi = sorted((x, y))
    assert 0 <= float(survey_points(lo, conv, 10)) <= float(survey_points(hi, conv, 10)) <= 10


@settings(max_examples=40, deadline=None)
@given(points_matrix, st.randoms(use_true_random=False))
def test_permuting_units_and_inputs_changes_nothing(shares, rnd):
    pts = _scaled(shares)
    units = [
        UnitAssessment(f"U{u}", f"Đơn vị {u}", "department", inputs={
            leaf.code: LeafInput(self_points=float(pts[u, j]))
            for j, leaf in enumerate(COMPILED.leaves)
            if not (leaf.method.kind == "manual" and leaf.method.levels)
        })
        for u in range(len(shares))
    ]
    shuffled = [UnitAssessment(u.code, u.name, u.unit_type, inputs=dict(rnd.sample(list(u.inputs.items()), len(u.inputs))))
                for u in rnd.sample(units, len(units))]
    a, b = score_cycle(DEPT, units), score_cycle(DEPT, shuffled)
    assert {u.code: (u.index, u.rank) for u in a.units} == {u.code: (u.index, u.rank) for u in b.units}


@settings(max_examples=40, deadline=None)
@given(points_matrix, st.data())
def test_raising_a_leaf_never_lowers_total_or_rank(shares, data):
    pts = _scaled(shares)
    u = data.draw(st.integers(0, len(shares) - 1))
    j = COMPILED.leaf_index[data.draw(st.sampled_from(REGULAR)).code]
    better = pts.copy()
    better[u, j] = COMPILED.leaf_max[j]
    types = ["department"] * len(shares)
    from cchc.core.ranking import rank_within

    before, after = score_matrix(COMPILED, pts, types), score_matrix(COMPILED, better, types)
    assert after.total[u] >= before.total[u] - 1e-9
    assert rank_within(after.index, types)[0][u] <= rank_within(before.index, types)[0][u]
