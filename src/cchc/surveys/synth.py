"""Synthetic responses for tests, demos and benchmarks (clearly not real data).

Each unit has a latent satisfaction level; each cluster shifts it a little; each respondent answers every
ordinal question by an ordered-logit-like draw around that level, with some "not applicable" and empty cells on
optional questions.
"""

from __future__ import annotations

import numpy as np

from cchc.surveys.model import Instrument
from cchc.surveys.responses import MISSING, NOT_APPLICABLE, Responses


def synth_responses(
    inst: Instrument,
    n: int,
    *,
    units: int = 10,
    clusters_per_unit: int = 5,
    seed: int = 0,
    weights: bool = False,
    missing_rate: float = 0.02,
) -> Responses:
    rng = np.random.default_rng(seed)
    unit_names = np.array([f"Đơn vị {i + 1:03d}" for i in range(units)], dtype=object)
    unit = rng.integers(0, units, size=n)
    cluster = unit * clusters_per_unit + rng.integers(0, clusters_per_unit, size=n)
    level = (
        rng.normal(0.8, 0.5, size=units)[unit] + rng.normal(0, 0.2, size=units * clusters_per_unit)[cluster]
    )
    level = level + rng.normal(0, 0.6, size=n)
    resolved = inst.resolved()
    single = [rq for rq in resolved if rq.scale.type != "multiple"]
    codes = np.empty((n, len(single)), dtype=np.int8)
    for j, rq in enumerate(single):
        k = len(rq.scale.options)
        if rq.scale.type == "ordinal":
            x = level + rng.normal(0, 0.9, size=n) + rng.normal(0, 0.2)
            cut = np.linspace(-1.6, 1.0, k - 1)
            c = (x[:, None] > cut[None, :]).sum(axis=1).astype(np.int8)
        else:
            c = rng.integers(0, k, size=n).astype(np.int8)
        if not rq.q.required:
            c = np.where(rng.random(n) < missing_rate, MISSING, c).astype(np.int8)
        if rq.scale.not_applicable:
            c = np.where(rng.random(n) < missing_rate, NOT_APPLICABLE, c).astype(np.int8)
        codes[:, j] = c
    multi, multi_missing = {}, {}
    for rq in resolved:
        if rq.scale.type == "multiple":
            k = len(rq.scale.options)
            multi[rq.code] = rng.random((n, k)) < 0.35
            multi_missing[rq.code] = rng.random(n) < 0.05
    attrs: dict[str, np.ndarray] = {}
    for att in inst.attributes:
        if att.role in ("id", "weight"):
            continue
        if att.role == "unit":
            attrs[att.name] = unit_names[unit]
        elif att.role == "cluster":
            attrs[att.name] = np.array([f"C{i:05d}" for i in range(units * clusters_per_unit)], dtype=object)[
                cluster
            ]
        elif att.values:
            vals = np.array(att.values, dtype=object)
            attrs[att.name] = vals[rng.integers(0, len(vals), size=n)]
        else:
            attrs[att.name] = np.full(n, "", dtype=object)
    w = rng.uniform(0.5, 2.0, size=n) if weights else None
    return Responses(
        instrument=inst,
        ids=np.array([f"s{i}" for i in range(n)], dtype=object),
        attrs=attrs,
        codes=codes,
        single_codes=[rq.code for rq in single],
        multi=multi,
        multi_missing=multi_missing,
        weight=w,
        source_rows=np.arange(2, n + 2),
    )
