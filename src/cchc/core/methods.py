"""Leaf scoring methods: a rate or a survey index → points. Vectorised; scalars work too.

These are the only implementations of the ratio and survey conversions; the survey and dossier modules
call them to turn their indices and rates into framework points.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cchc.core.framework import LinearConversion, RatioMethod, Step, TableConversion


def _steps_points(values: np.ndarray, steps: Sequence[Step]) -> np.ndarray:
    """Points of the highest step whose ``min`` each value reaches; 0 below the first step."""
    mins = np.array([s.min for s in steps], dtype=float)
    pts = np.concatenate([[0.0], [s.points for s in steps]])
    idx = np.searchsorted(mins, values + 1e-9, side="right")
    out = pts[idx]
    return np.where(np.isnan(values), np.nan, out)


def _linear_points(values: np.ndarray, zero_at: float, full_at: float, max_points: float) -> np.ndarray:
    share = np.clip((values - zero_at) / (full_at - zero_at), 0.0, 1.0)
    return max_points * share


def rate_percent(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """Numerator / denominator × 100; NaN where the denominator is zero or missing.

    >>> float(rate_percent(45, 50))
    90.0
    """
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den * 100.0, np.nan)


def ratio_points(rate_pct: np.ndarray | float, method: RatioMethod, max_points: float) -> np.ndarray:
    """Points of a ``ratio`` leaf from a rate in percent, capped at the maximum.

    >>> m = RatioMethod(full_at=80)
    >>> float(ratio_points(40.0, m, 6))
    3.0
    >>> float(ratio_points(95.0, m, 6))
    6.0
    """
    values = np.asarray(rate_pct, dtype=float)
    if method.steps:
        out = _steps_points(values, method.steps)
    else:
        out = _linear_points(values, method.zero_at, method.full_at, max_points)
    return np.minimum(out, max_points)


def survey_points(
    index_pct: np.ndarray | float, conversion: LinearConversion | TableConversion, max_points: float
) -> np.ndarray:
    """Points of a ``survey`` leaf from a survey index in percent.

    >>> float(survey_points(82.10, TableConversion(steps=[Step(min=80, points=8.5), Step(min=85, points=9)]), 10))
    8.5
    >>> round(float(survey_points(82.10, LinearConversion(), 10)), 2)
    8.21
    """
    values = np.asarray(index_pct, dtype=float)
    if isinstance(conversion, TableConversion):
        out = _steps_points(values, conversion.steps)
    else:
        out = _linear_points(values, conversion.zero_at, conversion.full_at, max_points)
    return np.minimum(out, max_points)
