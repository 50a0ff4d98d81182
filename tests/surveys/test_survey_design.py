from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cchc.surveys.design import allocate, yamane


def test_yamane_hand_values():
    # N = 10,000, e = 5%: 10000 / (1 + 25) = 384.6 → 385
    assert yamane(10_000) == 385
    assert yamane(0) == 0
    assert yamane(1) == 1
    # N = 400: 400 / 2 = 200 exactly
    assert yamane(400) == 200
    assert allocate({"A": 400, "B": 10_000}) == {"A": 200, "B": 385}


@given(st.integers(0, 10**7), st.floats(0.01, 0.2))
def test_yamane_bounds(n, e):
    s = yamane(n, e)
    assert 0 <= s <= n
    assert s <= 1 / (e * e) + 1
