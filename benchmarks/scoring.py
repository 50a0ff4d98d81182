"""Benchmark: score, rank and compare 10,000 units × 150 leaves × 2 years.

Baseline: the per-row Python a spreadsheet macro or a first web app would do — loop over (unit, leaf,
points) rows, accumulate fields and totals in dicts, sort for ranks, loop again for year-over-year change.
Ours: the vectorised kernel (:func:`cchc.core.scoring.score_matrix`, :func:`cchc.core.ranking.rank_within`).
Both run in one process on the same data; the script checks that they agree before printing timings.

    .venv/bin/python benchmarks/scoring.py [--units 10000] [--leaves 150] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from cchc.core.framework import parse_framework
from cchc.core.numbers import round_half_up, round_half_up_array
from cchc.core.ranking import rank_within
from cchc.core.scoring import compile_framework, score_matrix


def synthetic_framework(n_leaves: int, n_fields: int = 8):
    per = [n_leaves // n_fields + (1 if i < n_leaves % n_fields else 0) for i in range(n_fields)]
    nodes = []
    for f, count in enumerate(per, start=1):
        children = [
            {"code": f"{f}.{i}", "name_vi": f"Tiêu chí {f}.{i}", "max_points": 1.0, "method": {"kind": "manual"}}
            for i in range(1, count + 1)
        ]
        nodes.append({"code": str(f), "name_vi": f"Lĩnh vực {f}", "max_points": float(count), "children": children})
    return parse_framework({"id": "bench", "name_vi": "Bench", "unit_types": ["department", "commune"], "nodes": nodes})


def baseline(rows: list[tuple[int, str, str, str, float]], field_of: dict[str, str], leaf_max: dict[str, float]):
    """Per-row Python: rows of (year, unit, unit_type, leaf, points)."""
    totals: dict[tuple[int, str], float] = {}
    maxima: dict[tuple[int, str], float] = {}
    fields: dict[tuple[int, str, str], float] = {}
    types: dict[tuple[int, str], str] = {}
    for year, unit, unit_type, leaf, points in rows:
        key = (year, unit)
        totals[key] = totals.get(key, 0.0) + points
        maxima[key] = maxima.get(key, 0.0) + leaf_max[leaf]
        fkey = (year, unit, field_of[leaf])
        fields[fkey] = fields.get(fkey, 0.0) + points
        types[key] = unit_type
    index = {k: round_half_up(totals[k] / maxima[k] * 100, 2) for k in totals}
    ranks: dict[tuple[int, str], int] = {}
    groups: dict[tuple[int, str], list[tuple[int, str]]] = {}
    for k in index:
        groups.setdefault((k[0], types[k]), []).append(k)
    for members in groups.values():
        members.sort(key=lambda k: -index[k])
        for pos, k in enumerate(members):
            ranks[k] = pos + 1 if pos == 0 or index[members[pos - 1]] != index[k] else ranks[members[pos - 1]]
    change = {}
    for (year, unit), value in index.items():
        prev = (year - 1, unit)
        if prev in index:
            change[unit] = (round_half_up(value - index[prev], 2), ranks[prev] - ranks[(year, unit)])
    return index, ranks, change


def ours(compiled, points_by_year: dict[int, np.ndarray], unit_types: list[str]):
    out = {}
    for year, points in points_by_year.items():
        s = score_matrix(compiled, points, unit_types)
        index = round_half_up_array(s.index, 2)
        ranks, _ = rank_within(s.index, unit_types, 2)
        out[year] = (index, ranks)
    (y0, (i0, r0)), (y1, (i1, r1)) = sorted(out.items())
    change = (round_half_up_array(i1 - i0, 2), r0 - r1)
    return out, change


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--leaves", type=int, default=150)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    fw = synthetic_framework(args.leaves)
    compiled = compile_framework(fw)
    rng = np.random.default_rng(2025)
    unit_types = ["department" if i % 4 == 0 else "commune" for i in range(args.units)]
    # points on a 0.25 grid, as people enter them
    points_by_year = {y: np.round(rng.uniform(0, 1, (args.units, len(compiled.leaves))) * 4) / 4 for y in (2024, 2025)}
    leaf_codes = [leaf.code for leaf in compiled.leaves]
    field_of = {code: code.split(".")[0] for code in leaf_codes}
    leaf_max = {leaf.code: float(leaf.max_points) for leaf in compiled.leaves}
    rows = [
        (year, f"U{u:05d}", unit_types[u], leaf_codes[j], float(points[u, j]))
        for year, points in points_by_year.items()
        for u in range(args.units)
        for j in range(len(leaf_codes))
    ]

    t0 = time.perf_counter()
    b_index, b_ranks, b_change = baseline(rows, field_of, leaf_max)
    t_base = time.perf_counter() - t0

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result, change = ours(compiled, points_by_year, unit_types)
        times.append(time.perf_counter() - t0)
    t_ours = min(times)

    # agreement
    for year, (index, ranks) in result.items():
        for u in range(0, args.units, max(1, args.units // 500)):
            key = (year, f"U{u:05d}")
            assert b_index[key] == index[u], (key, b_index[key], index[u])
            assert b_ranks[key] == ranks[u], (key, b_ranks[key], ranks[u])
    assert b_change[f"U{0:05d}"] == (change[0][0], change[1][0])

    cells = args.units * len(leaf_codes) * 2
    print(f"score + rank + compare: {args.units:,} units × {len(leaf_codes)} leaves × 2 years = {cells:,} leaf scores")
    print(f"baseline (per-row Python): {t_base:.3f} s")
    print(f"cchc (vectorised core):    {t_ours:.3f} s (best of {args.repeat})")
    print(f"ratio: {t_base / t_ours:.1f}× faster")


if __name__ == "__main__":
    main()
