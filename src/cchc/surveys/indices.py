"""Satisfaction indices with confidence: criterion shares, composites, breakdowns, drivers, points.

Definitions (the standard SIPAS convention; the official text is unknown, see ``docs/formats/surveys.md``):

- **Criterion share** = (weighted) share of valid answers that count as satisfied, × 100. Valid answers exclude
  empty cells and "không biết / không áp dụng". ``n`` = number of valid answers; ``n_eff`` = Kish effective
  size ``(Σw)² / Σw²``.
- **Criterion mean** = mean answer rescaled to 0–100 (first option 0, last 100), ordinal scales only.
- **Element, aspect, overall**: a mean of their children's indices by the instrument's rule
  (:class:`~cchc.surveys.model.Aggregation`): ``plain`` (each child equal), ``item_weighted`` (each child
  weighted by its number of satisfaction criteria with data), ``weighted`` (the ``weight`` on each child).
  Children without data in a cell are left out and the remaining weights renormalised. Only ``satisfaction``
  criteria enter; aspects with ``in_overall: false`` are reported but not in the overall.
- **Perception and expectation** items are reported as shares (the answers listed as ``satisfied`` are the
  reported "positive" answer). Per element, ``gap = expectation − satisfaction`` in percentage points, from the
  expectation items that relate to it (positive: more respondents want improvement than are satisfied).
- **Confidence intervals** (95% by default): Wilson score interval for a single share, using ``n_eff`` (and, when
  a cluster column is used, ``n_eff`` divided by the design effect estimated by the bootstrap). Composites:
  percentile bootstrap, resampling clusters within the cell when a cluster column is given, otherwise
  respondents; stratified by unit when there is a unit column (each unit's sample is resampled on its own and
  the replicate sums added, so the overall interval reflects a sample drawn per unit). When a cell has more resampling units than ``max_psu``, they are first put at random into
  ``max_psu`` groups (the random-group method) so that 1,000 replicates stay fast; below that the bootstrap is
  exact. Weights enter every sum.
- Cells with fewer than ``min_n`` respondents are flagged ``low_n`` and not ranked.

Example::

    >>> import numpy as np
    >>> wilson(8, 10)  # doctest: +ELLIPSIS
    (49.0..., 94.3...)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from cchc.surveys.model import Aggregation, Instrument, ResolvedQuestion
from cchc.surveys.responses import Responses

Z95 = 1.959963984540054


def z_value(confidence: float) -> float:
    from scipy.stats import norm

    return float(norm.ppf(0.5 + confidence / 2.0))


# --------------------------------------------------------------------------------------------- single shares
def wilson(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a share, in percent. ``n`` may be an effective (non-integer) size.

    Returns ``(nan, nan)`` when ``n`` is 0.
    """
    lo, hi = wilson_array(np.asarray([successes], float), np.asarray([n], float), confidence)
    return float(lo[0]), float(hi[0])


def wilson_array(
    successes: np.ndarray, n: np.ndarray, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    z = Z95 if confidence == 0.95 else z_value(confidence)
    n = np.asarray(n, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, np.asarray(successes, float) / n, np.nan)
        denom = 1.0 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = np.clip(centre - half, 0.0, 1.0) * 100
    hi = np.clip(centre + half, 0.0, 1.0) * 100
    return np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


# --------------------------------------------------------------------------------------------- the structure
@dataclass
class Structure:
    """Matrices that turn criterion shares into element, aspect and overall indices for one instrument."""

    sat_codes: list[str]  # satisfaction criteria, in order
    elements: list[tuple[str, str]]  # (element code, aspect code) with at least one satisfaction criterion
    aspects: list[str]
    q_to_e: np.ndarray  # (Q, E) criterion weight in its element
    e_items: np.ndarray  # (Q, E) membership (for item counts)
    e_to_a: np.ndarray  # (E, A) element weight (for "weighted" and "plain")
    a_in_overall: np.ndarray  # (A,) aspect weight in overall (0 for in_overall: false)
    rules: Aggregation

    @classmethod
    def build(cls, inst: Instrument, rules: Aggregation | None = None) -> Structure:
        rules = rules or inst.aggregation
        sat = [rq for rq in inst.resolved() if rq.q.measure == "satisfaction"]
        codes = [rq.code for rq in sat]
        elements: list[tuple[str, str]] = []
        for a in inst.aspects:
            for e in a.elements:
                if any(rq.element == e.code for rq in sat):
                    elements.append((e.code, a.code))
        aspects = [a.code for a in inst.aspects if any(ac == a.code for _, ac in elements)]
        e_index = {e: i for i, (e, _) in enumerate(elements)}
        a_index = {a: i for i, a in enumerate(aspects)}
        q_to_e = np.zeros((len(codes), len(elements)))
        e_items = np.zeros_like(q_to_e)
        for i, rq in enumerate(sat):
            j = e_index[rq.element]
            e_items[i, j] = 1.0
            q_to_e[i, j] = rq.q.weight if rules.element == "weighted" else 1.0
        e_to_a = np.zeros((len(elements), len(aspects)))
        elem_by_code = {e.code: e for e in inst.elements}
        for j, (e, a) in enumerate(elements):
            e_to_a[j, a_index[a]] = elem_by_code[e].weight if rules.aspect == "weighted" else 1.0
        asp_by_code = {a.code: a for a in inst.aspects}
        a_w = np.array(
            [
                (asp_by_code[a].weight if rules.overall == "weighted" else 1.0)
                if asp_by_code[a].in_overall
                else 0.0
                for a in aspects
            ]
        )
        return cls(codes, elements, aspects, q_to_e, e_items, e_to_a, a_w, rules)

    def composite(self, S: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Element, aspect and overall indices from satisfied (S) and valid (V) weighted sums over the
        satisfaction criteria (last axis). Any leading axes (cells, replicates) are kept."""
        has = V > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(has, S / np.where(has, V, 1.0) * 100.0, 0.0)
        hasf = has.astype(float)
        e_den = hasf @ self.q_to_e
        with np.errstate(divide="ignore", invalid="ignore"):
            elem = np.where(e_den > 0, (share @ self.q_to_e) / e_den, np.nan)
        e_has = e_den > 0
        e_val = np.where(e_has, elem, 0.0)
        if self.rules.aspect == "item_weighted":
            w_e = (hasf @ self.e_items)[..., :, None] * (self.e_to_a > 0)
        else:
            w_e = np.broadcast_to(self.e_to_a, e_has.shape + (self.e_to_a.shape[1],)) * e_has[..., :, None]
        a_den = w_e.sum(axis=-2)
        with np.errstate(divide="ignore", invalid="ignore"):
            asp = np.where(a_den > 0, (e_val[..., :, None] * w_e).sum(axis=-2) / a_den, np.nan)
        a_has = a_den > 0
        a_val = np.where(a_has, asp, 0.0)
        if self.rules.overall == "item_weighted":
            counts = hasf @ self.e_items @ (self.e_to_a > 0).astype(float)
            w_a = counts * (self.a_in_overall > 0)
        else:
            w_a = self.a_in_overall * a_has
        o_den = w_a.sum(axis=-1)
        with np.errstate(divide="ignore", invalid="ignore"):
            overall = np.where(o_den > 0, (a_val * w_a).sum(axis=-1) / o_den, np.nan)
        return elem, asp, overall


# --------------------------------------------------------------------------------------------- options
@dataclass
class Options:
    by: Sequence[str] = ()
    cluster: str | None = (
        "auto"  # "auto": the instrument's cluster column when it has values; None: respondents
    )
    strata: str | None = "auto"  # "auto": the unit column (samples are drawn per unit); None: no strata
    replicates: int = 1000
    confidence: float = 0.95
    min_n: int | None = None
    max_psu: int = 250
    seed: int = 20240417
    use_weights: bool = True
    aggregation: Aggregation | None = None
    outcome: str | None = None  # drivers outcome question; default: instrument.drivers_outcome


STANDARD_REPLICATES = 500
STANDARD_SEED = 0


def standard_options(by: Sequence[str] = ("unit",)) -> Options:
    """The method preset of every stored survey result (an import in the web application, the review report's
    section from a file): per ``by`` (units by default), :data:`STANDARD_REPLICATES` bootstrap replicates from
    seed :data:`STANDARD_SEED`, the other options at their defaults — so one file gives the same numbers, to
    the last digit, wherever it is computed. A new :class:`Options` at each call (it is mutable)."""
    return Options(by=list(by), replicates=STANDARD_REPLICATES, seed=STANDARD_SEED)


@dataclass
class _Prepared:
    inst: Instrument
    struct: Structure
    single: list[ResolvedQuestion]
    sat_idx: np.ndarray  # positions of satisfaction criteria in single
    codes: np.ndarray  # (n, Qs) int8 answer positions (MISSING / NOT_APPLICABLE negative)
    K: int  # histogram width: codes + 2 (so that -2 → 0)
    lut_valid: np.ndarray  # (Qs, K) 1 for a valid answer
    lut_sat: np.ndarray  # (Qs, K) 1 for a satisfied answer
    lut_score: np.ndarray  # (Qs, K) rescaled score 0–100 (ordinal scales)
    w: np.ndarray
    weighted: bool
    single_codes_index: dict[str, int] = field(default_factory=dict)
    multi_cells: list[list[dict[str, Any]]] | None = None
    # columns resampled by the bootstrap: the satisfaction criteria, then the expectation items (for gap CIs)
    boot_idx: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    exp_cols: dict[str, list[int]] = field(default_factory=dict)  # element -> columns of boot_idx

    def indicator(self, j: int, lut: np.ndarray) -> np.ndarray:
        return lut[j][self.codes[:, j].astype(np.intp) + 2]


def _prepare(resp: Responses, opts: Options) -> _Prepared:
    inst = resp.instrument
    struct = Structure.build(inst, opts.aggregation)
    single = [inst.question(c) for c in resp.single_codes]
    kmax = max((len(rq.scale.options) for rq in single), default=1)
    K = kmax + 2
    q = len(single)
    lut_valid = np.zeros((q, K))
    lut_sat = np.zeros((q, K))
    lut_score = np.zeros((q, K))
    for j, rq in enumerate(single):
        k = len(rq.scale.options)
        sat_vals = {str(v) for v in rq.satisfied_values}
        for pos, o in enumerate(rq.scale.options):
            lut_valid[j, pos + 2] = 1.0
            lut_sat[j, pos + 2] = 1.0 if str(o.value) in sat_vals else 0.0
            if rq.scale.type == "ordinal":
                lut_score[j, pos + 2] = pos / (k - 1) * 100.0
    sat_idx = np.array([resp.single_codes.index(c) for c in struct.sat_codes], dtype=np.intp)
    weighted = opts.use_weights and resp.weight is not None
    w = resp.weight.astype(float) if weighted else np.ones(resp.n)
    index = {rq.code: j for j, rq in enumerate(single)}
    prep = _Prepared(
        inst, struct, single, sat_idx, resp.codes, K, lut_valid, lut_sat, lut_score, w, weighted, index
    )
    exp_idx: list[int] = []
    for element, codes in _expectation_map(inst, single).items():
        for code in codes:
            prep.exp_cols.setdefault(element, []).append(len(sat_idx) + len(exp_idx))
            exp_idx.append(index[code])
    prep.boot_idx = np.concatenate([sat_idx, np.array(exp_idx, dtype=np.intp)])
    return prep


# --------------------------------------------------------------------------------------------- cell sums
@dataclass
class _CellSums:
    labels: list[str]
    n_resp: np.ndarray  # (C,) respondents with >= 1 valid satisfaction answer
    S: np.ndarray  # (C, Qs) weighted satisfied
    V: np.ndarray  # (C, Qs) weighted valid
    M: np.ndarray  # (C, Qs) weighted score sum
    W2: np.ndarray  # (C, Qs) sum of squared weights over valid answers
    N: np.ndarray  # (C, Qs) unweighted valid count
    psu_S: list[list[np.ndarray]] = field(default_factory=list)  # per cell, per stratum: (P, Qsat)
    psu_V: list[list[np.ndarray]] = field(default_factory=list)
    psu_kind: list[str] = field(default_factory=list)


def _cell_sums(
    p: _Prepared,
    cell: np.ndarray,
    n_cells: int,
    psu: np.ndarray | None,
    labels: list[str],
    rng: np.random.Generator,
    max_psu: int,
    bootstrap: bool,
    strata: np.ndarray | None = None,
) -> _CellSums:
    """Sums per cell (``cell``: int array, -1 = excluded) and per resampling unit within the cell.

    Each question costs one histogram (``bincount``) of its answer codes per cell — weighted, plus the squared
    weights and the plain counts when weights are used; S, V and M follow from the histograms by lookup."""
    keep = cell >= 0
    all_kept = bool(keep.all())
    c = cell if all_kept else cell[keep]
    w = p.w if all_kept else p.w[keep]
    codes = p.codes if all_kept else p.codes[keep]
    w2 = w * w if p.weighted else None
    qn = codes.shape[1]
    S = np.zeros((n_cells, qn))
    V = np.zeros((n_cells, qn))
    M = np.zeros((n_cells, qn))
    W2 = np.zeros((n_cells, qn))
    N = np.zeros((n_cells, qn))
    cK = c.astype(np.int64) * p.K + 2
    size = n_cells * p.K
    for j in range(qn):
        idx = cK + codes[:, j]
        hn = np.bincount(idx, minlength=size).reshape(n_cells, p.K).astype(float)
        hw = np.bincount(idx, weights=w, minlength=size).reshape(n_cells, p.K) if p.weighted else hn
        h2 = np.bincount(idx, weights=w2, minlength=size).reshape(n_cells, p.K) if p.weighted else hn
        V[:, j] = hw @ p.lut_valid[j]
        S[:, j] = hw @ p.lut_sat[j]
        M[:, j] = hw @ p.lut_score[j]
        W2[:, j] = h2 @ p.lut_valid[j]
        N[:, j] = hn @ p.lut_valid[j]
    any_valid = (codes[:, p.sat_idx] >= 0).any(axis=1)
    n_resp = np.bincount(c, weights=any_valid, minlength=n_cells).astype(int)
    out = _CellSums(labels, n_resp, S, V, M, W2, N)
    if not bootstrap:
        return out
    # resampling units: within each block = (cell, stratum); a cell's replicate is the sum over its blocks
    if strata is not None:
        st = strata if all_kept else strata[keep]
        base_s = int(st.max()) + 1 if len(st) else 1
        bpairs = c.astype(np.int64) * base_s + st
        buniq, blk = np.unique(bpairs, return_inverse=True)
        cell_of_block = (buniq // base_s).astype(np.int64)
    else:
        blk = c.astype(np.int64)
        cell_of_block = np.arange(n_cells, dtype=np.int64)
    n_blocks = len(cell_of_block)
    size = np.bincount(blk, minlength=n_blocks)
    if psu is None:
        # respondents; random groups when the block is larger than max_psu
        order = np.argsort(blk, kind="stable")
        rank_in_block = np.empty(len(blk), dtype=np.int64)
        starts = np.cumsum(size) - size
        rank_in_block[order] = np.arange(len(blk)) - np.repeat(starts, size)
        big = size > max_psu
        local = np.where(big[blk], rng.integers(0, max_psu, size=len(blk)), rank_in_block)
        n_local = np.where(big, max_psu, size)
        unit_word = ("respondents", "random groups of respondents")
    else:
        pk = psu if all_kept else psu[keep]
        base = int(pk.max()) + 1 if len(pk) else 1
        pairs = blk * base + pk
        uniq, inv = np.unique(pairs, return_inverse=True)
        block_of_u = (uniq // base).astype(np.int64)
        n_clusters = np.bincount(block_of_u, minlength=n_blocks)
        starts = np.cumsum(n_clusters) - n_clusters
        local_u = np.arange(len(uniq)) - starts[block_of_u]
        big = n_clusters > max_psu
        if big.any():
            grp = rng.integers(0, max_psu, size=len(uniq))
            local_u = np.where(big[block_of_u], grp, local_u)
        local = local_u[inv]
        n_local = np.where(big, max_psu, n_clusters)
        unit_word = ("clusters", "random groups of clusters")
    offs = np.cumsum(n_local) - n_local
    gid = offs[blk] + local
    total = int(n_local.sum())
    ps = np.zeros((total, len(p.boot_idx)))
    pv = np.zeros((total, len(p.boot_idx)))
    gK = gid.astype(np.int64) * p.K + 2
    for k, j in enumerate(p.boot_idx):
        hw = np.bincount(gK + codes[:, j], weights=w if p.weighted else None, minlength=total * p.K)
        hw = hw.reshape(total, p.K)
        pv[:, k] = hw @ p.lut_valid[j]
        ps[:, k] = hw @ p.lut_sat[j]
    blocks_of_cell: list[list[int]] = [[] for _ in range(n_cells)]
    for bi, ci in enumerate(cell_of_block):
        blocks_of_cell[int(ci)].append(bi)
    for ci in range(n_cells):
        bl = blocks_of_cell[ci]
        out.psu_S.append([ps[int(offs[b]) : int(offs[b] + n_local[b])] for b in bl])
        out.psu_V.append([pv[int(offs[b]) : int(offs[b] + n_local[b])] for b in bl])
        grouped = any(big[b] for b in bl)
        kind = unit_word[1] if grouped else unit_word[0]
        if strata is not None and len(bl) > 1:
            kind += f", stratified ({len(bl)} strata)"
        out.psu_kind.append(kind)
    return out


def _replicate_sums(
    Xs: np.ndarray, Xv: np.ndarray, B: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap replicate sums: resample the P rows of (Xs, Xv) with replacement, B times.

    The resampling counts are integers (exact in float32); the product runs in float32, ample for interval
    bounds, and the replicate sums are returned as float64."""
    P = Xs.shape[0]
    if P == 0:
        return np.zeros((B, Xs.shape[1])), np.zeros((B, Xs.shape[1]))
    draws = rng.integers(0, P, size=(B, P), dtype=np.int32)
    draws += (np.arange(B, dtype=np.int32) * P)[:, None]
    counts = np.bincount(draws.ravel(), minlength=B * P).reshape(B, P).astype(np.float32)
    X = np.concatenate([Xs, Xv], axis=1).astype(np.float32)
    R = (counts @ X).astype(np.float64)
    q = Xs.shape[1]
    return R[:, :q], R[:, q:]


# --------------------------------------------------------------------------------------------- results
def _num(x: Any, digits: int = 4) -> float | None:
    if x is None:
        return None
    x = float(x)
    if math.isnan(x) or math.isinf(x):
        return None
    return round(x, digits)


def _ci_stats(rep: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile CI bounds and SE over axis 0 (replicates); NaN-safe."""
    if not np.isnan(rep).any():
        lo, hi = np.percentile(rep, [100 * alpha / 2, 100 * (1 - alpha / 2)], axis=0)
        return lo, hi, rep.std(axis=0, ddof=1)
    with np.errstate(invalid="ignore"), _quiet():
        lo = np.nanpercentile(rep, 100 * alpha / 2, axis=0)
        hi = np.nanpercentile(rep, 100 * (1 - alpha / 2), axis=0)
        se = np.nanstd(rep, axis=0, ddof=1)
    return lo, hi, se


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *a):
        self._w.__exit__(*a)


def _cells_result(
    p: _Prepared,
    cs: _CellSums,
    opts: Options,
    rng: np.random.Generator,
    min_n: int,
    bootstrap: bool,
    given: tuple[np.ndarray, np.ndarray] | None = None,
    accumulate: list[np.ndarray] | None = None,
) -> tuple[list[dict[str, Any]], np.ndarray | None]:
    """Indices for each cell; also returns the (B, C) overall replicates for ranking intervals.

    ``given``: replicate sums to use for a single cell instead of resampling; ``accumulate``: a pair of
    arrays to which each cell's replicate sums are added (the overall of a stratified design is the sum of the
    strata's replicates)."""
    struct = p.struct
    inst = p.inst
    alpha = 1 - opts.confidence
    S_sat = cs.S[:, p.sat_idx]
    V_sat = cs.V[:, p.sat_idx]
    elem, asp, overall = struct.composite(S_sat, V_sat)
    C = len(cs.labels)
    B = opts.replicates
    rep_overall = np.full((B, C), np.nan) if bootstrap else None
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(cs.V > 0, cs.S / np.where(cs.V > 0, cs.V, 1) * 100, np.nan)
        mean = np.where(cs.V > 0, cs.M / np.where(cs.V > 0, cs.V, 1), np.nan)
        n_eff = np.where(cs.W2 > 0, cs.V**2 / np.where(cs.W2 > 0, cs.W2, 1), 0.0)
    elem_info = {e.code: e for e in inst.elements}
    asp_info = {a.code: a for a in inst.aspects}
    exp_by_elem = _expectation_map(inst, p.single)
    out = []
    for ci in range(C):
        deff = np.ones(len(p.single))
        if bootstrap:
            if given is not None:
                rs, rv = given
            else:
                rs = np.zeros((B, len(p.boot_idx)))
                rv = np.zeros((B, len(p.boot_idx)))
                for bs, bv in zip(cs.psu_S[ci], cs.psu_V[ci], strict=True):
                    s_, v_ = _replicate_sums(bs, bv, B, rng)
                    rs += s_
                    rv += v_
            if accumulate is not None:
                accumulate[0] += rs
                accumulate[1] += rv
            nsat = len(p.sat_idx)
            r_elem, r_asp, r_over = struct.composite(rs[:, :nsat], rv[:, :nsat])
            e_lo, e_hi, e_se = _ci_stats(r_elem, alpha)
            gap_ci = {}
            with np.errstate(divide="ignore", invalid="ignore"), _quiet():
                for j, (ecode, _) in enumerate(struct.elements):
                    cols = p.exp_cols.get(ecode)
                    if not cols:
                        continue
                    r_exp = np.nanmean(
                        np.where(rv[:, cols] > 0, rs[:, cols] / rv[:, cols] * 100, np.nan), axis=1
                    )
                    g_lo, g_hi, _ = _ci_stats((r_exp - r_elem[:, j])[:, None], alpha)
                    gap_ci[ecode] = (g_lo[0], g_hi[0])
            a_lo, a_hi, a_se = _ci_stats(r_asp, alpha)
            o_lo, o_hi, o_se = _ci_stats(r_over[:, None], alpha)
            rep_overall[:, ci] = r_over
            if "clusters" in cs.psu_kind[ci]:
                with np.errstate(divide="ignore", invalid="ignore"), _quiet():
                    rshare = np.where(rv > 0, rs / np.where(rv > 0, rv, 1), np.nan)
                    var_boot = np.nanvar(rshare, axis=0, ddof=1)
                    pp = share[ci, p.boot_idx] / 100
                    var_srs = pp * (1 - pp) / n_eff[ci, p.boot_idx]
                    d = np.where(var_srs > 0, var_boot / var_srs, 1.0)
                deff[p.boot_idx] = np.clip(np.nan_to_num(d, nan=1.0), 1.0, None)
        else:
            gap_ci = {}
            e_lo = e_hi = e_se = np.full(len(struct.elements), np.nan)
            a_lo = a_hi = a_se = np.full(len(struct.aspects), np.nan)
            o_lo = o_hi = o_se = np.full(1, np.nan)
        n_adj = n_eff[ci] / deff
        w_lo, w_hi = wilson_array(share[ci] / 100 * n_adj, n_adj, opts.confidence)
        criteria = []
        for j, rq in enumerate(p.single):
            criteria.append(
                {
                    "code": rq.code,
                    "element": rq.element,
                    "aspect": rq.aspect,
                    "measure": rq.q.measure,
                    "share": _num(share[ci, j]),
                    "ci_low": _num(w_lo[j]),
                    "ci_high": _num(w_hi[j]),
                    "n": int(cs.N[ci, j]),
                    "n_eff": _num(n_adj[j], 1),
                    "mean_0_100": _num(mean[ci, j]) if rq.scale.type == "ordinal" else None,
                    "low_n": bool(cs.N[ci, j] < min_n),
                }
            )
        crit_by_code = {c["code"]: c for c in criteria}
        elements = []
        for j, (ecode, acode) in enumerate(struct.elements):
            sat_n = int(
                min(
                    (
                        cs.N[ci, p.single_codes_index[c]]
                        for c in struct.sat_codes
                        if p.single[p.single_codes_index[c]].element == ecode
                    ),
                    default=0,
                )
            )
            exp = _expectation_value(exp_by_elem.get(ecode, []), crit_by_code)
            elements.append(
                {
                    "code": ecode,
                    "aspect": acode,
                    "vi": elem_info[ecode].vi,
                    "en": elem_info[ecode].en,
                    "index": _num(elem[ci, j]),
                    "ci_low": _num(e_lo[j]),
                    "ci_high": _num(e_hi[j]),
                    "se": _num(e_se[j]),
                    "n_min": sat_n,
                    "expectation": _num(exp),
                    "gap": _num(exp - elem[ci, j])
                    if exp is not None and not math.isnan(elem[ci, j])
                    else None,
                    "gap_ci_low": _num(gap_ci[ecode][0]) if ecode in gap_ci else None,
                    "gap_ci_high": _num(gap_ci[ecode][1]) if ecode in gap_ci else None,
                }
            )
        aspects = []
        for j, acode in enumerate(struct.aspects):
            aspects.append(
                {
                    "code": acode,
                    "vi": asp_info[acode].vi,
                    "en": asp_info[acode].en,
                    "in_overall": asp_info[acode].in_overall,
                    "index": _num(asp[ci, j]),
                    "ci_low": _num(a_lo[j]),
                    "ci_high": _num(a_hi[j]),
                    "se": _num(a_se[j]),
                }
            )
        n = int(cs.n_resp[ci])
        out.append(
            {
                "label": cs.labels[ci],
                "n": n,
                "low_n": n < min_n,
                "resampled": cs.psu_kind[ci] if bootstrap else None,
                "overall": {
                    "index": _num(overall[ci]),
                    "ci_low": _num(o_lo[0]),
                    "ci_high": _num(o_hi[0]),
                    "se": _num(o_se[0]),
                    "n": n,
                },
                "aspects": aspects,
                "elements": elements,
                "criteria": [c for c in criteria if c["measure"] in ("satisfaction", "overall")],
                "perception": [c for c in criteria if c["measure"] == "perception"]
                + _multi_shares(p, ci, "perception"),
                "expectation": [c for c in criteria if c["measure"] == "expectation"]
                + _multi_shares(p, ci, "expectation"),
            }
        )
    return out, rep_overall


def _expectation_map(inst: Instrument, single: list[ResolvedQuestion]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for rq in single:
        if rq.q.measure != "expectation":
            continue
        target = rq.q.relates_to or rq.element
        out.setdefault(target, []).append(rq.code)
    return out


def _expectation_value(codes: list[str], crit: dict[str, dict[str, Any]]) -> float | None:
    vals = [crit[c]["share"] for c in codes if crit.get(c) and crit[c]["share"] is not None]
    return float(np.mean(vals)) if vals else None


def _multi_shares(p: _Prepared, ci: int, measure: str) -> list[dict[str, Any]]:
    cur = p.multi_cells
    if cur is None:
        return []
    return [r for r in cur[ci] if r["measure"] == measure]


def _attach_multi(p: _Prepared, resp: Responses, cell: np.ndarray, n_cells: int, confidence: float) -> None:
    """Shares for multiple-choice questions: the share choosing each option and the share giving a positive
    (``satisfied``) answer, per cell."""
    cells: list[list[dict[str, Any]]] = [[] for _ in range(n_cells)]
    keep = cell >= 0
    c = cell[keep]
    w = p.w[keep]
    for code, mat in resp.multi.items():
        rq = p.inst.question(code)
        answered = ~resp.multi_missing[code][keep]
        m = mat[keep]
        wv = w * answered
        V = np.bincount(c, weights=wv, minlength=n_cells)
        W2 = np.bincount(c, weights=wv * w, minlength=n_cells)
        N = np.bincount(c, weights=answered.astype(float), minlength=n_cells)
        sat_pos = [
            i for i, o in enumerate(rq.scale.options) if str(o.value) in {str(v) for v in rq.satisfied_values}
        ]
        pos_any = m[:, sat_pos].any(axis=1) if sat_pos else np.zeros(len(c), bool)
        S = np.bincount(c, weights=wv * pos_any, minlength=n_cells)
        opt_S = [np.bincount(c, weights=wv * m[:, i], minlength=n_cells) for i in range(m.shape[1])]
        with np.errstate(divide="ignore", invalid="ignore"):
            neff = np.where(W2 > 0, V**2 / np.where(W2 > 0, W2, 1), 0.0)
            share = np.where(V > 0, S / np.where(V > 0, V, 1) * 100, np.nan)
        lo, hi = wilson_array(share / 100 * neff, neff, confidence)
        for ci in range(n_cells):
            opts = []
            for i, o in enumerate(rq.scale.options):
                s = opt_S[i][ci] / V[ci] * 100 if V[ci] > 0 else float("nan")
                ol, oh = wilson(s / 100 * neff[ci], neff[ci], confidence) if V[ci] > 0 else (None, None)
                opts.append(
                    {"value": o.value, "vi": o.vi, "share": _num(s), "ci_low": _num(ol), "ci_high": _num(oh)}
                )
            cells[ci].append(
                {
                    "code": code,
                    "element": rq.element,
                    "aspect": rq.aspect,
                    "measure": rq.q.measure,
                    "share": _num(share[ci]),
                    "ci_low": _num(lo[ci]),
                    "ci_high": _num(hi[ci]),
                    "n": int(N[ci]),
                    "n_eff": _num(neff[ci], 1),
                    "mean_0_100": None,
                    "options": opts,
                }
            )
    p.multi_cells = cells


def _rank(values: Sequence[float | None]) -> list[int | None]:
    """Competition ranking ("1224") on values rounded to 2 decimals, highest first, by the index engine's
    :func:`cchc.core.ranking.competition_rank`; None stays unranked. The official tie rule is not published."""
    from cchc.core.ranking import competition_rank

    arr = np.array([np.nan if v is None else v for v in values], dtype=float)
    ranks = competition_rank(arr, 2) if len(arr) else np.zeros(0, dtype=np.int64)
    return [int(r) if r > 0 else None for r in ranks]


def _factorize(values: np.ndarray) -> tuple[np.ndarray, list[str]]:
    import pandas as pd

    codes, uniques = pd.factorize(pd.Series(values, dtype=object).fillna(""), sort=False)
    labels = [str(u) for u in uniques]
    order = sorted(range(len(labels)), key=lambda i: _sort_key(labels[i]))
    remap = np.empty(len(labels), dtype=np.int64)
    remap[order] = np.arange(len(labels))
    return remap[codes] if len(labels) else codes.astype(np.int64), [labels[i] for i in order]


def _sort_key(s: str) -> tuple[str, str]:
    from cchc.core.names import sort_key_vi

    return sort_key_vi(s)


def canonical_order(resp: Responses) -> np.ndarray:
    """Row positions of ``resp`` in a canonical order that does not depend on the order of the export: sorted
    by what a row says (attributes by name, single-choice answers, multiple-choice answers, weight), ties
    broken by the respondent id. Rows that say the same thing are interchangeable for every index, so the
    bootstrap, which draws resampling units by position, gives the same intervals for any row order.

    Row numbers are not part of the key: without an id column the ids are made from them (``r<row>``), and
    ids only break ties between rows whose answers are equal."""
    keys: list[np.ndarray] = []  # most significant first
    for name in sorted(resp.attrs):
        _, inv = np.unique(np.asarray(resp.attrs[name], dtype=str), return_inverse=True)
        keys.append(inv.ravel())
    keys.extend(resp.codes[:, j] for j in range(resp.codes.shape[1]))
    for code in sorted(resp.multi):
        if code in resp.multi_missing:
            keys.append(resp.multi_missing[code])
        m = resp.multi[code]
        keys.extend(m[:, k] for k in range(m.shape[1]))
    if resp.weight is not None:
        keys.append(np.nan_to_num(np.asarray(resp.weight, dtype=float), nan=np.inf))
    _, id_rank = np.unique(np.asarray(resp.ids, dtype=str), return_inverse=True)
    keys.append(id_rank.ravel())
    return np.lexsort(keys[::-1]) if resp.n else np.arange(0)


# --------------------------------------------------------------------------------------------- public API
def compute(resp: Responses, opts: Options | None = None) -> dict[str, Any]:
    """All published indices for ``resp``: overall, aspects, elements, criteria, perception and expectation
    shares, per-group breakdowns (``opts.by``), ranking of units, drivers. JSON-ready.

    The rows are first put in :func:`canonical_order`, so the same responses in another row order give the
    same numbers, bootstrap intervals included (same seed)."""
    opts = opts or Options()
    order = canonical_order(resp)
    if not np.array_equal(order, np.arange(resp.n)):
        resp = resp.subset(order)
    inst = resp.instrument
    min_n = opts.min_n if opts.min_n is not None else inst.min_n
    rng = np.random.default_rng(opts.seed)
    p = _prepare(resp, opts)
    bootstrap = opts.replicates > 0

    cluster_name: str | None = None
    psu: np.ndarray | None = None
    if opts.cluster == "auto":
        att = inst.attribute("cluster")
        if att and att.name in resp.attrs and (resp.attrs[att.name] != "").any():
            cluster_name = att.name
    elif opts.cluster:
        if opts.cluster not in resp.attrs:
            raise ValueError(f"cluster column {opts.cluster!r} is not an attribute of instrument {inst.id!r}")
        cluster_name = opts.cluster
    if cluster_name:
        vals = resp.attrs[cluster_name].copy()
        empty = vals == ""
        vals[empty] = np.array([f"\x00{i}" for i in np.flatnonzero(empty)], dtype=object)  # own cluster
        psu, _ = _factorize(vals)

    strata_name: str | None = None
    strata: np.ndarray | None = None
    if opts.strata == "auto":
        att = inst.attribute("unit")
        if att and att.name in resp.attrs and (resp.attrs[att.name] != "").any():
            strata_name = att.name
    elif opts.strata:
        if opts.strata not in resp.attrs:
            raise ValueError(f"strata column {opts.strata!r} is not an attribute of instrument {inst.id!r}")
        strata_name = opts.strata
    if strata_name:
        strata, _ = _factorize(resp.attrs[strata_name])

    n = resp.n
    breakdowns: list[tuple[str, list[dict[str, Any]]]] = []
    reuse: tuple[np.ndarray, np.ndarray] | None = None
    reuse_kind = ""
    cover: _CellSums | None = None  # sums of a breakdown that covers every respondent
    for by in opts.by:
        if by not in resp.attrs:
            raise ValueError(
                f"cannot break down by {by!r}: not an attribute of instrument {inst.id!r} "
                f"(attributes: {', '.join(resp.attrs)})"
            )
        codes, labels = _factorize(resp.attrs[by])
        cell = np.where(resp.attrs[by] == "", -1, codes)
        if "" in labels:  # respondents without a value are left out of this breakdown
            empty_idx = labels.index("")
            cell = np.where(cell > empty_idx, cell - 1, cell)
            cell = np.where(codes == empty_idx, -1, cell)
            labels = [lab for lab in labels if lab != ""]
        if not labels:
            breakdowns.append((by, []))
            continue
        # when the breakdown is by the strata column and covers everyone, the overall replicates are the sum
        # of the cells' replicates (a stratified bootstrap) — computed once, here
        acc = None
        if bootstrap and reuse is None and by == strata_name and bool((cell >= 0).all()):
            acc = [np.zeros((opts.replicates, len(p.boot_idx))), np.zeros((opts.replicates, len(p.boot_idx)))]
        cs_b = _cell_sums(p, cell, len(labels), psu, labels, rng, opts.max_psu, bootstrap, strata)
        if cover is None and bool((cell >= 0).all()):
            cover = cs_b
        _attach_multi(p, resp, cell, len(labels), opts.confidence)
        cells, rep = _cells_result(p, cs_b, opts, rng, min_n, bootstrap, accumulate=acc)
        if acc is not None:
            reuse = (acc[0], acc[1])
            base = "clusters" if cluster_name else "respondents"
            if any("random groups" in k for k in cs_b.psu_kind):
                base = "random groups of " + base
            reuse_kind = f"{base}, stratified ({len(labels)} strata)"
        rankable = [c["overall"]["index"] if not c["low_n"] else None for c in cells]
        ranks = _rank(rankable)
        rank_ci = _rank_intervals(rep, [r is not None for r in ranks], alpha=1 - opts.confidence)
        for c, r, rci in zip(cells, ranks, rank_ci, strict=True):
            c["rank"] = r
            c["rank_ci"] = rci
            c["ranked_of"] = sum(x is not None for x in ranks)
        breakdowns.append((by, cells))

    all_cell = np.zeros(n, dtype=np.int64)
    if cover is not None and (reuse is not None or not bootstrap):
        # the overall sums are the column sums of a breakdown that covers everyone
        cs = _CellSums(
            ["all"],
            cover.n_resp.sum(keepdims=True),
            *(x.sum(axis=0, keepdims=True) for x in (cover.S, cover.V, cover.M, cover.W2, cover.N)),
        )
    else:
        cs = _cell_sums(p, all_cell, 1, psu, ["all"], rng, opts.max_psu, bootstrap and reuse is None, strata)
    if reuse is not None:
        cs.psu_kind = [reuse_kind]
    _attach_multi(p, resp, all_cell, 1, opts.confidence)
    overall_cells, _ = _cells_result(p, cs, opts, rng, min_n, bootstrap, given=reuse)
    result: dict[str, Any] = {
        "instrument": inst.id,
        "instrument_version": inst.version,
        "instrument_status": inst.status,
        "method": {
            "criterion": "share of valid answers counted as satisfied, x100",
            "aggregation": (opts.aggregation or inst.aggregation).model_dump(),
            "confidence": opts.confidence,
            "ci_shares": "wilson" + (" (n_eff adjusted for clustering)" if cluster_name else ""),
            "ci_composites": f"percentile bootstrap, {opts.replicates} replicates" if bootstrap else "none",
            "resampling": f"clusters ({cluster_name})" if cluster_name else "respondents",
            "strata": strata_name,
            "max_psu": opts.max_psu,
            "weights": "column weight" if p.weighted else "none",
            "min_n": min_n,
            "seed": opts.seed,
            "unknown": inst.unknown,
        },
        "n": overall_cells[0]["n"],
        **{
            k: overall_cells[0][k]
            for k in ("overall", "aspects", "elements", "criteria", "perception", "expectation")
        },
    }
    result["overall"]["resampled"] = overall_cells[0]["resampled"]
    unit_att = inst.attribute("unit")
    for by, cells in breakdowns:
        if unit_att is not None and unit_att.name == by:
            result["units"] = cells
        else:
            result.setdefault("groups", {})[by] = cells

    outcome = opts.outcome or inst.drivers_outcome
    result["drivers"] = (
        drivers(p, outcome, result["elements"])
        if outcome
        else {
            "available": False,
            "reason": "the instrument names no outcome question (drivers_outcome); pass --outcome CODE",
        }
    )
    return result


def _rank_intervals(rep: np.ndarray | None, rankable: list[bool], alpha: float) -> list[list[int] | None]:
    if rep is None:
        return [None] * len(rankable)
    idx = [i for i, r in enumerate(rankable) if r]
    out: list[list[int] | None] = [None] * len(rankable)
    if len(idx) < 2:
        for i in idx:
            out[i] = [1, 1]
        return out
    sub = rep[:, idx]
    ok = ~np.isnan(sub).any(axis=1)
    sub = sub[ok]
    if len(sub) == 0:
        return out
    ranks = (-sub).argsort(axis=1).argsort(axis=1) + 1
    lo = np.percentile(ranks, 100 * alpha / 2, axis=0, method="lower")
    hi = np.percentile(ranks, 100 * (1 - alpha / 2), axis=0, method="higher")
    for k, i in enumerate(idx):
        out[i] = [int(lo[k]), int(hi[k])]
    return out


# --------------------------------------------------------------------------------------------- drivers
def lmg_importance(X: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Relative importance of each column of ``X`` for ``y`` by the LMG method (Shapley decomposition of the
    R² of a linear regression over all orders of entry). Returns (shares of R² summing to R², R²).

    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2)); y = 2 * X[:, 0] + rng.normal(size=500)
    >>> imp, r2 = lmg_importance(X, y)
    >>> bool(imp[0] > imp[1] and abs(imp.sum() - r2) < 1e-9)
    True
    """
    k = X.shape[1]
    if k > 12:
        raise ValueError("LMG importance is limited to 12 predictors")
    w = np.ones(len(y)) if w is None else w
    sw = w.sum()
    mx = (w[:, None] * X).sum(0) / sw
    my = (w * y).sum() / sw
    Xc = X - mx
    yc = y - my
    Sxx = (w[:, None] * Xc).T @ Xc / sw
    sxy = (w[:, None] * Xc).T @ yc / sw
    syy = float((w * yc * yc).sum() / sw)
    if syy <= 0:
        return np.zeros(k), 0.0

    r2_cache: dict[frozenset[int], float] = {frozenset(): 0.0}

    def r2(sub: frozenset[int]) -> float:
        if sub in r2_cache:
            return r2_cache[sub]
        ids = sorted(sub)
        A = Sxx[np.ix_(ids, ids)]
        b = sxy[ids]
        coef = np.linalg.lstsq(A, b, rcond=None)[0]
        val = float(b @ coef / syy)
        r2_cache[sub] = val
        return val

    imp = np.zeros(k)
    for j in range(k):
        others = [i for i in range(k) if i != j]
        for size in range(k):
            wt = math.factorial(size) * math.factorial(k - size - 1) / math.factorial(k)
            for comb in combinations(others, size):
                s = frozenset(comb)
                imp[j] += wt * (r2(s | {j}) - r2(s))
    return imp, r2(frozenset(range(k)))


def drivers(p: _Prepared, outcome: str, element_results: list[dict[str, Any]]) -> dict[str, Any]:
    """Which elements move the outcome question most: LMG relative importance from a (weighted) linear
    regression of the outcome score (0–100) on respondents' element scores (share of their satisfied answers
    in the element, 0–100), with an importance–performance matrix split at the means."""
    idx = {rq.code: j for j, rq in enumerate(p.single)}
    if outcome not in idx:
        return {"available": False, "reason": f"outcome question {outcome!r} is not a single-answer question"}
    jo = idx[outcome]
    y_valid = p.codes[:, jo] >= 0
    if p.single[jo].scale.type == "ordinal":
        y = p.indicator(jo, p.lut_score)
    else:
        y = p.indicator(jo, p.lut_sat) * 100
    cols = []
    for ecode, _ in p.struct.elements:
        js = [idx[c] for c in p.struct.sat_codes if p.single[idx[c]].element == ecode]
        v = sum(p.codes[:, j] >= 0 for j in js)
        s = sum(p.indicator(j, p.lut_sat) for j in js)
        with np.errstate(divide="ignore", invalid="ignore"):
            cols.append(np.where(v > 0, s / np.where(v > 0, v, 1) * 100, np.nan))
    X = np.column_stack(cols)
    ok = y_valid & ~np.isnan(X).any(axis=1)
    n = int(ok.sum())
    k = X.shape[1]
    if n < max(30, 5 * k) or k < 2:
        return {"available": False, "reason": f"too few complete respondents for the regression ({n})"}
    if k > 12:
        return {"available": False, "reason": "more than 12 elements: LMG importance not computed"}
    imp, r2 = lmg_importance(X[ok], y[ok], p.w[ok])
    share = imp / r2 * 100 if r2 > 0 else np.zeros(k)
    perf = {e["code"]: e["index"] for e in element_results}
    mean_imp = float(np.mean(share))
    perfs = [perf.get(ecode) for ecode, _ in p.struct.elements]
    mean_perf = (
        float(np.mean([x for x in perfs if x is not None])) if any(x is not None for x in perfs) else 0.0
    )
    rows = []
    for j, (ecode, _) in enumerate(p.struct.elements):
        pf = perf.get(ecode)
        hi_imp = share[j] >= mean_imp
        hi_perf = pf is not None and pf >= mean_perf
        quadrant = {
            (True, False): "concentrate_here",
            (True, True): "keep_up",
            (False, False): "low_priority",
            (False, True): "possible_overkill",
        }[(bool(hi_imp), bool(hi_perf))]
        rows.append(
            {
                "element": ecode,
                "importance": _num(share[j]),
                "r2_part": _num(imp[j], 6),
                "performance": pf,
                "quadrant": quadrant,
            }
        )
    return {
        "available": True,
        "outcome": outcome,
        "method": "LMG (Shapley) decomposition of R² of a weighted linear regression on element scores",
        "n": n,
        "r2": _num(r2, 6),
        "split_importance": _num(mean_imp),
        "split_performance": _num(mean_perf),
        "elements": rows,
    }


# --------------------------------------------------------------------------------------------- comparison
def change(
    current: dict[str, Any] | None, previous: dict[str, Any] | None, confidence: float = 0.95
) -> dict[str, Any] | None:
    """Year-over-year change of one index (dicts with ``index`` and ``se`` or ``ci_low``/``ci_high``):
    difference, its standard error (independent samples) and whether it is significant at ``confidence``."""
    if not current or not previous or current.get("index") is None or previous.get("index") is None:
        return None

    def se(d: dict[str, Any]) -> float | None:
        if d.get("se") is not None:
            return float(d["se"])
        if d.get("ci_low") is not None and d.get("ci_high") is not None:
            return (float(d["ci_high"]) - float(d["ci_low"])) / (2 * Z95)
        return None

    diff = float(current["index"]) - float(previous["index"])
    s1, s2 = se(current), se(previous)
    if s1 is None or s2 is None:
        return {"change": _num(diff), "se": None, "significant": None}
    sd = math.sqrt(s1 * s1 + s2 * s2)
    z = Z95 if confidence == 0.95 else z_value(confidence)
    return {
        "change": _num(diff),
        "se": _num(sd),
        "ci_low": _num(diff - z * sd),
        "ci_high": _num(diff + z * sd),
        "significant": bool(sd > 0 and abs(diff) > z * sd) if sd > 0 else diff != 0,
    }


def compare(
    current: dict[str, Any],
    previous: dict[str, Any],
    confidence: float = 0.95,
    lineage: Any = None,
    since: str | None = None,
) -> dict[str, Any]:
    """Attach year-over-year changes to a :func:`compute` result, matching elements by code and units by name.

    With a :class:`cchc.core.lineage.Lineage` and the date of the previous survey (``since``), a unit that
    continues merged or renamed units is compared with the plain mean of its predecessors' indices (standard
    error ``√Σse² / k``, independent samples); it needs every predecessor. Results of different instruments
    are flagged ``comparable: false`` (e.g. SIPAS 2017–2021 vs 2022+, whose questionnaire and sampling changed).
    """
    from cchc.core.names import normalize_unit_name

    comparable = current.get("instrument") == previous.get("instrument")
    out: dict[str, Any] = {
        "comparable": comparable,
        "previous_instrument": previous.get("instrument"),
        "overall": change(current["overall"], previous.get("overall"), confidence),
        "elements": {},
        "units": {},
        "baselines": {},
    }
    if not comparable:
        out["note"] = (
            f"different instruments ({previous.get('instrument')} → {current.get('instrument')}): "
            "changes are shown but the series may not be comparable"
        )
    prev_el = {e["code"]: e for e in previous.get("elements", [])}
    for e in current.get("elements", []):
        out["elements"][e["code"]] = change(e, prev_el.get(e["code"]), confidence)
    prev_units = {normalize_unit_name(u["label"]): u for u in previous.get("units", [])}
    for u in current.get("units", []):
        base = prev_units.get(normalize_unit_name(u["label"]))
        prev_overall = base["overall"] if base else None
        if lineage is not None and since is not None:
            sources = lineage.predecessors(u["label"], since)
            if len(sources) > 1 or normalize_unit_name(sources[0]) != normalize_unit_name(u["label"]):
                rows = [prev_units.get(normalize_unit_name(src)) for src in sources]
                prev_overall = None
                if all(r is not None and r["overall"].get("index") is not None for r in rows):
                    idx = [float(r["overall"]["index"]) for r in rows]  # type: ignore[index]
                    ses = [r["overall"].get("se") for r in rows]  # type: ignore[union-attr]
                    se = (
                        math.sqrt(sum(x * x for x in ses)) / len(ses)
                        if all(x is not None for x in ses)
                        else None
                    )
                    prev_overall = {"index": sum(idx) / len(idx), "se": se}
                out["baselines"][u["label"]] = {
                    "sources": list(sources),
                    "rule": "plain mean of predecessors",
                    "index": _num(prev_overall["index"]) if prev_overall else None,
                }
        out["units"][u["label"]] = change(u["overall"], prev_overall, confidence)
    return out


# --------------------------------------------------------------------------------------------- points
def to_points(index_pct: float | np.ndarray, conversion: Any, max_points: float) -> np.ndarray:
    """Framework points from a survey index through the index engine's ``survey`` method
    (:func:`cchc.core.methods.survey_points`); ``conversion`` is a ``LinearConversion`` / ``TableConversion``
    or a ``SurveyMethod``.

    >>> from cchc.core.framework import Step, TableConversion
    >>> float(to_points(82.10, TableConversion(steps=[Step(min=80, points=8.5), Step(min=85, points=9)]), 10))
    8.5
    """
    from cchc.core.methods import survey_points

    conv = getattr(conversion, "conversion", conversion)
    return survey_points(index_pct, conv, max_points)
