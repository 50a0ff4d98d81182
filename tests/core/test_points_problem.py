"""The one rule for entered points: structured (:func:`points_problem`) and worded (:func:`check_points`)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from cchc.core.framework import POINTS_TOLERANCE
from cchc.core.scoring import PointsProblem, check_points, level_points, points_limits, points_problem
from cchc.frameworks import load_framework

DEPT = load_framework("example-department")
LEVELS_1_2 = DEPT.node("1.1.2")  # manual, max 2, levels 2 / 1 / 0
FREE = DEPT.node("1.4.1")  # manual, max 2, no level table
BONUS = DEPT.node("9.1")  # bonus, cap 2
PENALTY = DEPT.node("9.2")  # penalty, cap 3
LEAVES = [leaf for leaf in DEPT.leaves() if leaf.kind in ("manual", "bonus", "penalty")]


def test_limits_and_levels():
    assert points_limits(LEVELS_1_2) == (0.0, 2.0)
    assert points_limits(PENALTY) == (0.0, 3.0)
    assert level_points(LEVELS_1_2) == [
        (2.0, "Hoàn thành 100% kế hoạch"), (1.0, "Hoàn thành từ 80% đến dưới 100%"), (0.0, "Hoàn thành dưới 80%"),
    ]
    assert level_points(FREE) == [] and level_points(BONUS) == []


def test_tolerance_is_the_core_one():
    assert POINTS_TOLERANCE == 1e-6
    assert points_problem(LEVELS_1_2, 2.0000005) is None and check_points(LEVELS_1_2, 2.0000005) is None
    assert points_problem(LEVELS_1_2, 1.9999995) is None
    assert points_problem(LEVELS_1_2, 2.00001) == PointsProblem("outside", 0.0, 2.0, (2.0, 1.0, 0.0))
    assert check_points(LEVELS_1_2, 2.00001) == "points 2.00001 outside 0…2"
    assert points_problem(LEVELS_1_2, 1.00001) == PointsProblem("not_a_level", 0.0, 2.0, (2.0, 1.0, 0.0))


def test_range_is_checked_before_the_level_table():
    assert points_problem(LEVELS_1_2, 3).kind == "outside"
    assert points_problem(LEVELS_1_2, -1).kind == "outside"
    assert points_problem(LEVELS_1_2, 0.5).kind == "not_a_level"


def test_wording_is_unchanged():
    assert check_points(DEPT.node("1.1.1"), 0.7) == "points 0.7 are not one of the level table's 1, 0.5, 0"
    assert check_points(FREE, 3) == "points 3 outside 0…2"
    assert check_points(PENALTY, 4) == "penalty points 4 outside 0…3"
    assert check_points(BONUS, -1) == "bonus points -1 outside 0…2"
    assert check_points(FREE, math.nan) == "points are not a number"
    assert points_problem(FREE, math.nan) == PointsProblem("not_a_number", 0.0, 2.0, ())
    assert check_points(FREE, 1.37) is None and check_points(PENALTY, 3) is None


@given(st.sampled_from(LEAVES), st.one_of(st.floats(), st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0])),
       st.floats(min_value=-2e-6, max_value=2e-6))
def test_check_points_words_exactly_the_problems(leaf, value, nudge):
    value = value + nudge if math.isfinite(value) else value
    problem = points_problem(leaf, value)
    assert (check_points(leaf, value) is None) == (problem is None)
    if problem is not None:
        low, high = points_limits(leaf)
        assert (problem.low, problem.high) == (low, high)
        assert problem.allowed == tuple(p for p, _label in level_points(leaf))
        if problem.kind == "not_a_level":
            assert low - POINTS_TOLERANCE <= value <= high + POINTS_TOLERANCE and problem.allowed
