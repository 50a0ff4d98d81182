"""Survey design helpers.

The sample-size rule used in SIPAS guidance (domain.md §4) is Yamane's ``n = N / (1 + N·e²)`` with ``e = 5%``.
How the guidance rounds is not stated; this rounds up (a sample never smaller than the formula).

>>> yamane(10_000)
385
>>> yamane(200, margin=0.05)
134
"""

from __future__ import annotations

import math


def yamane(population: int, margin: float = 0.05) -> int:
    """Sample size ``ceil(N / (1 + N·e²))`` for a population of ``N`` and a margin of error ``e``."""
    if population < 0:
        raise ValueError("population must be non-negative")
    if not 0 < margin < 1:
        raise ValueError("margin must be between 0 and 1")
    if population == 0:
        return 0
    return math.ceil(population / (1 + population * margin * margin) - 1e-9)


def allocate(populations: dict[str, int], margin: float = 0.05) -> dict[str, int]:
    """Sample size per unit (stratum), each by :func:`yamane` on its own population."""
    return {unit: yamane(n, margin) for unit, n in populations.items()}
