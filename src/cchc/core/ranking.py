"""Ranking: competition ranks (1, 2, 2, 4) on values rounded to the published precision.

No tie rule is published for the PAR INDEX (2022: 90.10 and 90.09 were ranked 1 and 2, so ties are judged
on the published digits). Two units with the same rounded value share a rank and the next rank is skipped;
callers list tied units by name (:func:`cchc.core.names.sort_key_vi`).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from cchc.core.numbers import round_half_up_array


def competition_rank(values: Sequence[float] | np.ndarray, precision: int = 2) -> np.ndarray:
    """Descending competition ranks of ``values`` at ``precision`` decimals; NaN gets rank 0 (unranked).

    >>> competition_rank([90.10, 90.09, 90.094, 85.0]).tolist()
    [1, 2, 2, 4]
    >>> competition_rank([80.0, float("nan"), 90.0]).tolist()
    [2, 0, 1]
    """
    arr = np.asarray(values, dtype=float)
    out = np.zeros(arr.shape, dtype=np.int64)
    ok = ~np.isnan(arr)
    if not ok.any():
        return out
    rounded = round_half_up_array(arr[ok], precision)
    # rank = 1 + number of values strictly greater (on the rounded scale)
    ordered = np.sort(rounded)
    greater = len(ordered) - np.searchsorted(ordered, rounded, side="right")
    out[ok] = greater + 1
    return out


def rank_within(
    values: Sequence[float] | np.ndarray, groups: Sequence[Hashable], precision: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Competition ranks inside each group, and the number of ranked units of the group ("of").

    >>> ranks, sizes = rank_within([9, 8, 7, 9.5], ["a", "a", "b", "b"])
    >>> ranks.tolist(), sizes.tolist()
    ([1, 2, 2, 1], [2, 2, 2, 2])
    """
    arr = np.asarray(values, dtype=float)
    keys = list(groups)
    ranks = np.zeros(arr.shape, dtype=np.int64)
    sizes = np.zeros(arr.shape, dtype=np.int64)
    if not keys:
        return ranks, sizes
    labels = {k: i for i, k in enumerate(dict.fromkeys(keys))}
    codes = np.fromiter((labels[k] for k in keys), dtype=np.intp, count=len(keys))
    for code in range(len(labels)):
        sel = np.flatnonzero(codes == code)
        ranks[sel] = competition_rank(arr[sel], precision)
        sizes[sel] = int((~np.isnan(arr[sel])).sum())
    return ranks, sizes
