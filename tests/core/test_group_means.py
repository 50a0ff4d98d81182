"""A peer group's mean per field (:func:`cchc.core.diagnostics.group_means`)."""

import math

from hypothesis import given
from hypothesis import strategies as st

from cchc.core.diagnostics import group_means

KEYS = ["1", "2", "3"]
value = st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6), st.just(math.nan))
rows = st.lists(st.dictionaries(st.sampled_from(KEYS), value), max_size=8)


def test_examples():
    got = group_means([{"1": 80.0, "2": None}, {"1": 90.0, "3": math.nan}, {}], KEYS)
    assert got == {"1": 85.0, "2": None, "3": None}
    assert group_means([], ["1"]) == {"1": None}
    assert group_means([{"1": 0.1}] * 3, ["1"]) == {"1": 0.1}  # not 0.10000000000000002
    assert group_means(iter([{"1": 1.0}, {"1": 2.0}]), ["1"]) == {"1": 1.5}  # any iterable, read once


@given(rows)
def test_mean_is_within_the_values_and_none_only_without_values(rs):
    means = group_means(rs, KEYS)
    assert list(means) == KEYS
    for key in KEYS:
        present = [r[key] for r in rs if r.get(key) is not None and not math.isnan(r[key])]
        if not present:
            assert means[key] is None
        else:
            assert min(present) <= means[key] <= max(present)
            assert math.isclose(means[key], math.fsum(present) / len(present), rel_tol=1e-12, abs_tol=1e-9)


@given(st.floats(min_value=-1e6, max_value=1e6), st.integers(min_value=1, max_value=20))
def test_equal_values_have_that_mean(x, n):
    assert group_means([{"1": x}] * n, ["1"]) == {"1": x}
