"""Parsing typed numbers, rounding and Vietnamese number formatting.

Published PAR figures are rounded half up to the framework's precision (2 decimals by default), and
Vietnamese text writes a decimal comma and a dot as thousands separator: ``4,79 điểm``, ``1.234 hồ sơ``.
"""

from __future__ import annotations

import math

import numpy as np

# Float sums such as 54.95 + 18.33 + 8.5 + 4.36 land a hair below or above the decimal they stand for;
# a nudge far smaller than any published digit keeps half-up rounding faithful to the decimal value.
_NUDGE = 1e-9


def parse_number(value: object) -> float | None:
    """A number typed by a person or read from a table cell; empty → ``None``; ``ValueError`` otherwise.

    Accepts ``int`` and ``float`` as they are, and text with a decimal point or a decimal comma
    (``0,5``); text with both is Vietnamese with dots as thousands separators (``1.234,5`` → 1234.5).
    Spaces and no-break spaces are removed first (``1 234`` → 1234). ``None``, ``""`` and blank text
    give ``None``: a caller that needs a value refuses that itself. Refused with ``ValueError``:
    ``bool`` (a tick box is not a number), NaN and ±infinity (typed or given), and any other text.

    >>> parse_number("86,14"), parse_number("1.234,5"), parse_number(" 2 "), parse_number("")
    (86.14, 1234.5, 2.0, None)
    >>> parse_number("inf")
    Traceback (most recent call last):
    ...
    ValueError: inf
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(str(value))
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError as exc:  # an int beyond float range
            raise ValueError(str(value)) from exc
        if not math.isfinite(number):
            raise ValueError(str(value))
        return number
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    # "1.234,5" (Vietnamese) → 1234.5; "0,5" → 0.5
    text = text.replace(".", "").replace(",", ".") if "," in text and "." in text else text.replace(",", ".")
    try:
        number = float(text)
    except ValueError as exc:
        raise ValueError(text) from exc
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def round_half_up(value: float, precision: int = 2) -> float:
    """Round half away from zero at ``precision`` decimals, as published tables do.

    >>> round_half_up(95.225, 2)
    95.23
    >>> round_half_up(-4.785, 2)
    -4.79
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return value
    scale = 10.0**precision
    sign = -1.0 if value < 0 else 1.0
    return sign * math.floor(abs(value) * scale + 0.5 + _NUDGE) / scale


def round_half_up_array(values: np.ndarray, precision: int = 2) -> np.ndarray:
    """Vectorised :func:`round_half_up`; NaN stays NaN."""
    scale = 10.0**precision
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5 + _NUDGE) / scale


def format_number_vi(value: float, decimals: int = 2, *, signed: bool = False) -> str:
    """Format with a decimal comma and dot thousands separators.

    >>> format_number_vi(1234.5, 2)
    '1.234,50'
    >>> format_number_vi(4.79)
    '4,79'
    >>> format_number_vi(1234, 0)
    '1.234'
    """
    rounded = round_half_up(float(value), decimals)
    text = f"{abs(rounded):,.{decimals}f}"
    text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if rounded < 0:
        return "-" + text
    return ("+" + text) if signed and rounded > 0 else text


def format_number_en(value: float, decimals: int = 2, *, signed: bool = False) -> str:
    """Format with a decimal point and comma thousands separators (English text)."""
    rounded = round_half_up(float(value), decimals)
    text = f"{abs(rounded):,.{decimals}f}"
    if rounded < 0:
        return "-" + text
    return ("+" + text) if signed and rounded > 0 else text
