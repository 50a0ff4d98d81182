"""Synthetic but plausible assessments for any framework (demos, benchmarks, tests). Deterministic by seed.

Each unit gets a "capacity" in 0.6…0.98; manual leaves take a level at or near the top, ratio leaves a
numerator/denominator around the capacity, survey leaves an index around it, and a few units get bonus or
penalty points. Nothing here is an official figure.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from cchc.core.framework import Framework, ManualMethod, RatioMethod, SurveyMethod
from cchc.core.scoring import LeafInput, UnitAssessment


def synthetic_assessments(
    framework: Framework, units: Sequence[tuple[str, str, str]], seed: int = 0
) -> list[UnitAssessment]:
    """``units`` are (code, name, unit_type) triples."""
    rng = random.Random(seed)
    out = []
    for code, name, unit_type in units:
        capacity = rng.uniform(0.6, 0.98)
        inputs: dict[str, LeafInput] = {}
        for leaf in framework.leaves(unit_type):
            method = leaf.method
            top = float(leaf.max_points or 0.0)
            if isinstance(method, ManualMethod):
                if method.levels:
                    levels = sorted(level.points for level in method.levels)
                    pick = levels[-1] if rng.random() < capacity else levels[max(0, len(levels) - 2)]
                    inputs[leaf.code] = LeafInput(self_points=pick)
                else:
                    inputs[leaf.code] = LeafInput(self_points=round(top * min(1.0, capacity + rng.uniform(-0.1, 0.1)) * 4) / 4)
            elif isinstance(method, RatioMethod):
                den = rng.randint(10, 5000)
                num = int(den * min(1.0, max(0.0, capacity + rng.uniform(-0.08, 0.06))))
                inputs[leaf.code] = LeafInput(numerator=num, denominator=den)
            elif isinstance(method, SurveyMethod):
                inputs[leaf.code] = LeafInput(survey_index=round(min(100.0, 100 * capacity + rng.uniform(-5, 5)), 2))
            elif method is not None and method.kind == "bonus" and rng.random() < 0.15:
                inputs[leaf.code] = LeafInput(self_points=min(method.cap, 1.0))
            elif method is not None and method.kind == "penalty" and rng.random() < 0.1:
                inputs[leaf.code] = LeafInput(appraised_points=min(method.cap, 0.5))
        out.append(UnitAssessment(code, name, unit_type, None, inputs))
    return out
