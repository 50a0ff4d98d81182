"""Benchmark: satisfaction indices per unit with 1,000 bootstrap replicates.

Ours (``cchc.surveys.indices.compute``) against a straightforward pandas implementation, on the same synthetic
responses, in the same run. Prints absolute times and the ratio.

    .venv/bin/python benchmarks/surveys.py                      # 1,000,000 × 30 questions, 200 units
    .venv/bin/python benchmarks/surveys.py --n 100000 --units 50 --baseline-replicates 3   # quick

The pandas baseline resamples respondents within each unit and recomputes every index per replicate; running
1,000 of those takes many minutes, so it runs ``--baseline-replicates`` replicates and the time for 1,000 is
extrapolated linearly (printed as such). Point estimates of both are checked to agree.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

from cchc.surveys.indices import Options, compute
from cchc.surveys.registry import load_instrument
from cchc.surveys.synth import synth_responses


def to_frame(resp) -> tuple[pd.DataFrame, list[str], dict[str, str]]:
    """Wide frame: unit, weight and each satisfaction item as its answer value (NaN when missing, 9 = n/a)."""
    inst = resp.instrument
    sat = [rq for rq in inst.resolved() if rq.q.measure == "satisfaction"]
    data = {"unit": resp.attrs["unit"], "weight": resp.weights()}
    for rq in sat:
        c = resp.column(rq.code).astype(float)
        vals = np.array([o.value for o in rq.scale.options], dtype=float)
        data[rq.code] = np.where(
            c >= 0, vals[np.clip(c, 0, None).astype(int)], np.where(c == -2, 9.0, np.nan)
        )
    return pd.DataFrame(data), [rq.code for rq in sat], {rq.code: rq.element for rq in sat}


def baseline_indices(df: pd.DataFrame, items: list[str], element_of: dict[str, str]) -> pd.Series:
    """Straightforward pandas: per unit, weighted share of 4–5 among answers 1–5 per item, mean per element,
    mean of elements."""
    shares = {}
    w = df["weight"]
    for q in items:
        valid = df[q].between(1, 5)
        sat = df[q].isin([4, 5])
        num = (sat * w).groupby(df["unit"]).sum()
        den = (valid * w).groupby(df["unit"]).sum()
        shares[q] = num / den * 100
    s = pd.DataFrame(shares)
    elements = s.T.groupby(pd.Series(element_of)).mean().T
    return elements.mean(axis=1)


def baseline_bootstrap(df, items, element_of, replicates: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    groups = df.groupby("unit").indices
    out = []
    for _ in range(replicates):
        idx = np.concatenate([rng.choice(ix, size=len(ix), replace=True) for ix in groups.values()])
        out.append(baseline_indices(df.iloc[idx], items, element_of).to_numpy())
    return np.array(out)


def naive_indices(units, answers: dict[str, list], weights, element_of: dict[str, str]) -> dict[str, float]:
    """Naive per-row Python: loop over respondents and items, accumulate per unit."""
    num: dict[tuple[str, str], float] = {}
    den: dict[tuple[str, str], float] = {}
    items = list(answers)
    for i, u in enumerate(units):
        w = weights[i]
        for q in items:
            a = answers[q][i]
            if a == a and 1 <= a <= 5:  # not NaN, not "không áp dụng"
                den[(u, q)] = den.get((u, q), 0.0) + w
                if a >= 4:
                    num[(u, q)] = num.get((u, q), 0.0) + w
    out = {}
    for u in set(units):
        el: dict[str, list[float]] = {}
        for q in items:
            d = den.get((u, q), 0.0)
            if d > 0:
                el.setdefault(element_of[q], []).append(num.get((u, q), 0.0) / d * 100)
        means = [sum(v) / len(v) for v in el.values()]
        out[u] = sum(means) / len(means)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--replicates", type=int, default=1000)
    ap.add_argument("--baseline-replicates", type=int, default=5)
    ap.add_argument("--instrument", default="province-sipas-example")
    args = ap.parse_args()

    inst = load_instrument(args.instrument)
    compute(
        synth_responses(inst, 5000, units=5, seed=1), Options(by=["unit"], replicates=50)
    )  # warm-up, imports
    t0 = time.perf_counter()
    resp = synth_responses(inst, args.n, units=args.units, clusters_per_unit=8, seed=11, weights=True)
    t_synth = time.perf_counter() - t0
    nq = resp.codes.shape[1] + len(resp.multi)
    print(
        f"data: {args.n:,} responses × {nq} questions, {args.units} units (synthetic, {t_synth:.1f} s to generate)"
    )
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, numpy {np.__version__}, "
        f"pandas {pd.__version__}, load average {os.getloadavg()[0]:.1f}"
    )

    t0 = time.perf_counter()
    ours = compute(resp, Options(by=["unit"], replicates=args.replicates, cluster=None))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    compute(resp, Options(by=["unit"], replicates=args.replicates))
    t_ours_cl = time.perf_counter() - t0
    t0 = time.perf_counter()
    compute(resp, Options(by=["unit"], replicates=0))
    t_ours_point = time.perf_counter() - t0

    df, items, element_of = to_frame(resp)
    t0 = time.perf_counter()
    base = baseline_indices(df, items, element_of)
    t_base_point = time.perf_counter() - t0
    t0 = time.perf_counter()
    baseline_bootstrap(df, items, element_of, args.baseline_replicates)
    t_base_rep = (time.perf_counter() - t0) / max(args.baseline_replicates, 1)
    t_base = t_base_point + t_base_rep * args.replicates

    units_list = df["unit"].tolist()
    answers = {q: df[q].tolist() for q in items}
    weights = df["weight"].tolist()
    t0 = time.perf_counter()
    naive = naive_indices(units_list, answers, weights, element_of)
    t_naive = time.perf_counter() - t0

    ours_by_unit = {u["label"]: u["overall"]["index"] for u in ours["units"]}
    diff_naive = max(abs(ours_by_unit[u] - v) for u, v in naive.items())
    print(f"point estimates agree: max |ours − per-row Python| over units = {diff_naive:.2e}")
    diff = max(abs(ours_by_unit[u] - float(v)) for u, v in base.items())
    print(f"point estimates agree: max |ours − pandas| over units = {diff:.2e} (ours rounded to 4 decimals)")
    print()
    print(
        f"ours   all indices per unit + {args.replicates} bootstrap replicates (respondents): {t_ours:8.2f} s"
    )
    print(f"ours   same, resampling clusters:                                        {t_ours_cl:8.2f} s")
    print(f"pandas point estimates per unit:                                         {t_base_point:8.2f} s")
    print(
        f"pandas one bootstrap replicate (mean of {args.baseline_replicates}):                              {t_base_rep:8.2f} s"
    )
    print(
        f"pandas point + {args.replicates} replicates (extrapolated from {args.baseline_replicates}):                {t_base:8.2f} s"
    )
    print(f"per-row Python point estimates per unit:                                 {t_naive:8.2f} s")
    print(
        f"per-row Python point + {args.replicates} replicates (extrapolated, 1 pass each):        {t_naive * (args.replicates + 1):8.2f} s"
    )
    print(f"ours   point estimates only (all indices, no bootstrap):                  {t_ours_point:8.2f} s")
    print(
        f"ratio with bootstrap:   pandas / ours {t_base / t_ours:,.0f}×; per-row Python / ours "
        f"{t_naive * (args.replicates + 1) / t_ours:,.0f}×"
    )
    print(
        f"ratio point estimates:  pandas / ours {t_base_point / t_ours_point:,.1f}×; per-row Python / ours "
        f"{t_naive / t_ours_point:,.1f}× (ours computes more: means, CIs of shares, n_eff, drivers, perception)"
    )
    assert diff < 1e-3 and diff_naive < 1e-3, "point estimates differ (JSON values are rounded to 4 decimals)"


if __name__ == "__main__":
    main()
