"""Unit lineage: renames, merges and splits with dates, and the baseline a merged unit is compared against.

Resolution 202/2025/QH15 merged 63 provinces into 34 from 1 July 2025 (Kon Tum + Quảng Ngãi → Quảng Ngãi).
A year-over-year comparison must follow lineage, not names. No official rule exists for the baseline of a
merged unit, so the rule is a choice, stated in every output:

- ``mean``: plain mean of the predecessors' indices (the national regional averages are plain means);
- ``weighted``: weighted mean with weights the caller supplies (e.g. population or number of dossiers);
- ``none``: no baseline; merged units are not compared.

A baseline needs every predecessor's index; baselines are then re-ranked among the successor units, so a
"previous rank" of a 34-province year is a rank among 34, not among 63.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from cchc.core.names import normalize_unit_name
from cchc.core.numbers import format_number_vi
from cchc.core.ranking import competition_rank
from cchc.core.results import ResultRow

BaselineRule = Literal["mean", "weighted", "none"]


@dataclass(frozen=True)
class LineageEvent:
    date: str  # ISO date the change took effect
    kind: Literal["rename", "merge", "split"]
    sources: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Baseline:
    unit: str
    index: float | None
    rank: int | None
    of: int
    sources: tuple[str, ...]
    rule: str


class Lineage:
    """A list of events; answers "which units of an earlier year does this unit continue?"."""

    def __init__(self, events: Sequence[LineageEvent]):
        self.events = sorted(events, key=lambda e: e.date)

    @classmethod
    def from_mapping(cls, date: str, old_to_new: Mapping[str, str]) -> Lineage:
        """Events from an old → new table (one row per old unit), as in ``provinces_2025_merger.csv``."""
        targets: dict[str, list[str]] = {}
        for old, new in old_to_new.items():
            targets.setdefault(new, []).append(old)
        events = []
        for new, olds in targets.items():
            if len(olds) > 1:
                events.append(LineageEvent(date, "merge", tuple(olds), (new,)))
            elif normalize_unit_name(olds[0]) != normalize_unit_name(new):
                events.append(LineageEvent(date, "rename", (olds[0],), (new,)))
        return cls(events)

    def predecessors(self, unit: str, since: str) -> tuple[str, ...]:
        """Units that ``unit`` continues, following events after ``since`` (ISO date) backwards."""
        current = {normalize_unit_name(unit): unit}
        for event in reversed(self.events):
            if event.date <= since:
                break
            target_keys = {normalize_unit_name(t) for t in event.targets}
            hit = [k for k in current if k in target_keys]
            if not hit:
                continue
            for k in hit:
                current.pop(k)
            # merge: all sources; rename and split: the single source
            for src in event.sources:
                current[normalize_unit_name(src)] = src
        return tuple(current.values())

    def describe(self, unit: str, since: str) -> str:
        sources = self.predecessors(unit, since)
        if len(sources) == 1 and normalize_unit_name(sources[0]) == normalize_unit_name(unit):
            return unit
        return f"{unit} ← {' + '.join(sources)}"


def baselines(
    previous: Sequence[ResultRow],
    successors: Sequence[str],
    lineage: Lineage,
    since: str,
    rule: BaselineRule = "mean",
    weights: Mapping[str, float] | None = None,
    precision: int = 2,
) -> dict[str, Baseline]:
    """Baseline index and re-ranked baseline rank of every successor unit from the previous year's rows."""
    by_key = {r.key: r for r in previous}
    by_key.update({normalize_unit_name(r.unit): r for r in previous})
    values = []
    infos = []
    for unit in successors:
        sources = lineage.predecessors(unit, since)
        rows = [by_key.get(normalize_unit_name(s)) for s in sources]
        value: float | None = None
        if rule != "none" and all(r is not None and r.index is not None for r in rows):
            idx = np.array([r.index for r in rows], dtype=float)  # type: ignore[union-attr]
            if rule == "weighted" and len(rows) > 1:
                if weights is None or any(normalize_unit_name(s) not in _norm(weights) for s in sources):
                    raise ValueError(f"rule 'weighted' needs a weight for each of {', '.join(sources)}")
                w = np.array([_norm(weights)[normalize_unit_name(s)] for s in sources], dtype=float)
                value = float((idx * w).sum() / w.sum())
            else:
                value = float(idx.mean())
        values.append(np.nan if value is None else value)
        infos.append((unit, value, sources))
    ranks = competition_rank(np.array(values, dtype=float), precision)
    ranked = int((ranks > 0).sum())
    out = {}
    for (unit, value, sources), rank in zip(infos, ranks, strict=True):
        out[unit] = Baseline(
            unit=unit,
            index=value,
            rank=int(rank) or None,
            of=ranked,
            sources=sources,
            rule=_rule_text(rule, sources, value),
        )
    return out


def _norm(weights: Mapping[str, float]) -> dict[str, float]:
    return {normalize_unit_name(k): v for k, v in weights.items()}


def _rule_text(rule: BaselineRule, sources: tuple[str, ...], value: float | None) -> str:
    names = " + ".join(sources)
    if len(sources) == 1:
        return f"so sánh với {names}"
    if rule == "none":
        return f"không so sánh (đơn vị hợp nhất từ {names})"
    if value is None:
        return f"không đủ số liệu của {names} để tính điểm gốc"
    how = "bình quân" if rule == "mean" else "bình quân gia quyền"
    return f"điểm gốc = {how} của {names} ({format_number_vi(value)}%)"
