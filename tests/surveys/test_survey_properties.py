"""Property tests (hypothesis) for the formulas, and coverage of the intervals by simulation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.surveys.indices import Options, Structure, compute, wilson, wilson_array
from cchc.surveys.model import Aggregation, parse_instrument

from .helpers import make_responses, tiny_dict

answer = st.sampled_from([1, 2, 3, 4, 5, 9, None])
NOBOOT = Options(replicates=0)
SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _answers(draw, n):
    return {q: [draw(answer) for _ in range(n)] for q in ("Q1", "Q2", "Q3", "Q4")}


@st.composite
def samples(draw, min_size=1, max_size=25):
    n = draw(st.integers(min_size, max_size))
    ans = _answers(draw, n)
    ans["Q1"] = [a if a is not None else 5 for a in ans["Q1"]]  # Q1 is required
    weights = draw(st.one_of(st.none(), st.lists(st.floats(0.1, 10), min_size=n, max_size=n)))
    return ans, weights


def _all_indices(res):
    vals = [res["overall"]["index"]]
    vals += [e["index"] for e in res["elements"]] + [a["index"] for a in res["aspects"]]
    vals += [c["share"] for c in res["criteria"]] + [c["mean_0_100"] for c in res["criteria"]]
    vals += [c[k] for c in res["criteria"] for k in ("ci_low", "ci_high")]
    return [v for v in vals if v is not None]


@SETTINGS
@given(samples(), st.sampled_from(["plain", "item_weighted", "weighted"]))
def test_indices_within_0_100(tiny, sample, rule):
    ans, weights = sample
    inst = parse_instrument(tiny_dict(aggregation={"element": rule, "aspect": rule, "overall": rule}))
    res = compute(make_responses(inst, ans, weights=weights), Options(replicates=20))
    for v in _all_indices(res):
        assert -1e-9 <= v <= 100 + 1e-9
    o = res["overall"]
    if o["ci_low"] is not None:
        assert o["ci_low"] - 1e-9 <= o["ci_high"]


@SETTINGS
@given(samples(), st.integers(0, 3))
def test_adding_a_satisfied_answer_never_lowers_the_share(tiny, sample, which):
    ans, _ = sample
    q = ("Q1", "Q2", "Q3", "Q4")[which]
    before = compute(make_responses(tiny, ans), NOBOOT)
    more = {k: v + ([5] if k == q else [None] if k != "Q1" else [5]) for k, v in ans.items()}
    after = compute(make_responses(tiny, more), NOBOOT)
    b = next(c for c in before["criteria"] if c["code"] == q)["share"]
    a = next(c for c in after["criteria"] if c["code"] == q)["share"]
    assert a is not None
    assert b is None or a >= b - 1e-9
    # the element containing it does not fall either
    el = {"Q1": "E1", "Q2": "E1", "Q3": "E2", "Q4": "E3"}[q]
    eb = next(e for e in before["elements"] if e["code"] == el)["index"]
    ea = next(e for e in after["elements"] if e["code"] == el)["index"]
    assert eb is None or ea >= eb - 1e-9


@SETTINGS
@given(samples(min_size=2), st.randoms(use_true_random=False))
def test_permutation_invariance(tiny, sample, rnd):
    ans, weights = sample
    n = len(ans["Q1"])
    order = list(range(n))
    rnd.shuffle(order)
    perm = {k: [v[i] for i in order] for k, v in ans.items()}
    pw = None if weights is None else [weights[i] for i in order]
    a = compute(make_responses(tiny, ans, weights=weights), NOBOOT)
    b = compute(make_responses(tiny, perm, weights=pw), NOBOOT)
    for x, y in zip(_all_indices(a), _all_indices(b), strict=True):
        assert x == pytest.approx(y, abs=1e-6)


@SETTINGS
@given(samples(), st.floats(0.01, 100))
def test_scaling_all_weights_changes_nothing(tiny, sample, c):
    ans, weights = sample
    n = len(ans["Q1"])
    w = weights or [1.0] * n
    a = compute(make_responses(tiny, ans, weights=w), NOBOOT)
    b = compute(make_responses(tiny, ans, weights=[x * c for x in w]), NOBOOT)
    for x, y in zip(_all_indices(a), _all_indices(b), strict=True):
        assert x == pytest.approx(y, abs=1e-6)


@SETTINGS
@given(st.lists(st.floats(0, 100), min_size=1, max_size=6))
def test_plain_composite_is_the_mean_of_children(shares):
    inst = parse_instrument(
        {
            "id": "p",
            "title_vi": "p",
            "scales": {
                "s": {
                    "type": "single",
                    "options": [{"value": 1, "vi": "a"}, {"value": 0, "vi": "b"}],
                    "satisfied": [1],
                }
            },
            "aspects": [
                {
                    "code": "A",
                    "vi": "A",
                    "elements": [
                        {
                            "code": f"E{i}",
                            "vi": "e",
                            "questions": [{"code": f"Q{i}", "vi": "q", "scale": "s"}],
                        }
                        for i in range(len(shares))
                    ],
                }
            ],
        }
    )
    st_ = Structure.build(inst, Aggregation())
    S = np.array([shares])
    V = np.full_like(S, 100.0)
    elem, asp, overall = st_.composite(S, V)
    assert overall[0] == pytest.approx(np.mean(shares))
    assert elem[0] == pytest.approx(shares)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 500), st.integers(1, 500))
def test_wilson_contains_the_estimate(k, n):
    k = min(k, n)
    lo, hi = wilson(k, n)
    p = k / n * 100
    assert 0 <= lo <= p + 1e-9 and p - 1e-9 <= hi <= 100


def test_wilson_coverage_by_simulation():
    """A 95 % Wilson interval covers the true share in about 95 % of simulated samples."""
    rng = np.random.default_rng(42)
    for p, n in ((0.82, 200), (0.5, 60), (0.95, 400)):
        k = rng.binomial(n, p, size=20000)
        lo, hi = wilson_array(k, np.full(k.shape, float(n)))
        cover = np.mean((lo <= p * 100) & (p * 100 <= hi))
        assert 0.93 <= cover <= 0.97, (p, n, cover)


def test_bootstrap_coverage_by_simulation(tiny):
    """The bootstrap interval of a composite (overall of several criteria) covers the true value in roughly
    95 % of simulated surveys (200 simulations × 200 replicates; a percentile bootstrap runs a little short in
    small samples, so the band is 0.88–0.99)."""
    rng = np.random.default_rng(7)
    probs = {"Q1": 0.8, "Q2": 0.6, "Q3": 0.7, "Q4": 0.9}
    true_e1 = (0.8 + 0.6) / 2
    true_overall = ((true_e1 + 0.7) / 2 + 0.9) / 2 * 100
    hits = 0
    sims = 200
    for s in range(sims):
        n = 150
        ans = {q: [5 if x else 2 for x in rng.random(n) < p] for q, p in probs.items()}
        res = compute(make_responses(tiny, ans), Options(replicates=200, seed=s))
        o = res["overall"]
        hits += o["ci_low"] <= true_overall <= o["ci_high"]
    assert 0.88 <= hits / sims <= 0.99, hits / sims


def test_cluster_bootstrap_is_wider_when_clusters_differ(tiny):
    rng = np.random.default_rng(5)
    clusters = np.repeat(np.arange(20), 30)
    level = rng.uniform(0.3, 0.95, size=20)[clusters]
    ans = {q: [5 if x else 1 for x in rng.random(600) < level] for q in ("Q1", "Q2", "Q3", "Q4")}
    r = make_responses(tiny, ans, clusters=[f"c{c}" for c in clusters])
    clus = compute(r, Options(replicates=300))
    resp = compute(r, Options(replicates=300, cluster=None))
    assert clus["overall"]["se"] > 1.5 * resp["overall"]["se"]
    # single-share intervals widen too (design effect)
    q1c = next(c for c in clus["criteria"] if c["code"] == "Q1")
    q1r = next(c for c in resp["criteria"] if c["code"] == "Q1")
    assert q1c["ci_high"] - q1c["ci_low"] > q1r["ci_high"] - q1r["ci_low"]
