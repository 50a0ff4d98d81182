"""Emulation and rewards (thi đua khen thưởng): which units are proposed, which are excluded, and why.

Rules are data per province (YAML, see ``rules/kon-tum-example.yaml``):

- candidates: the ``top_n`` units by rank within each group (unit type) whose band is at least ``min_band``;
  ties at the last place are all included;
- exclusions, each with its reason: ``band_at_most`` (e.g. Trung bình or lower) and ``band_drop`` (a drop of at
  least ``levels`` bands from the previous year — Kon Tum's rule, domain §3).

Bands are ordered by their ``min``; a unit without a previous band cannot be excluded by ``band_drop``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from cchc.core.framework import Band, Framework
from cchc.core.scoring import CycleResult


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CandidateRule(_M):
    top_n: int
    min_band: str


class Exclusion(_M):
    kind: Literal["band_at_most", "band_drop"]
    band: str | None = None
    levels: int | None = None
    reason_vi: str


class RewardRules(_M):
    id: str
    name_vi: str
    source: str | None = None
    status: Literal["official", "example"] = "example"
    candidates: CandidateRule
    exclusions: list[Exclusion] = []


class RulesError(ValueError):
    pass


RULES_DIR = Path(__file__).parent / "rules"


def shipped_ids() -> frozenset[str]:
    """The ids of the rules shipped with the package (``rules/<id>.yaml``), which :func:`load_rules` finds by id.

    >>> "kon-tum-example" in shipped_ids()
    True
    """
    return frozenset(p.stem for p in RULES_DIR.glob("*.yaml"))


def load_rules(path_or_id: str | Path) -> RewardRules:
    path = Path(path_or_id)
    if not path.exists():
        path = RULES_DIR / f"{path_or_id}.yaml"
    if not path.exists():
        raise RulesError(f"{path_or_id}: no such rules file or shipped rules id")
    try:
        return RewardRules.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as error:
        raise RulesError("\n".join(f"{path}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())) from None


@dataclass(frozen=True)
class RewardDecision:
    unit_code: str
    unit_name: str
    group: str | None
    rank: int
    index: float
    band: str | None
    previous_band: str | None
    candidate: bool
    reasons: list[str] = field(default_factory=list)


def _levels(framework: Framework) -> dict[str, int]:
    """Band code → level (0 = best)."""
    return {b.code: i for i, b in enumerate(sorted(framework.bands, key=lambda b: -b.min))}


def check_rules(rules: RewardRules, framework: Framework) -> list[str]:
    codes = {b.code for b in framework.bands}
    problems = []
    if rules.candidates.min_band not in codes:
        problems.append(f"candidates.min_band: {rules.candidates.min_band!r} is not a band of {framework.id} ({sorted(codes)})")
    for i, ex in enumerate(rules.exclusions):
        if ex.kind == "band_at_most" and ex.band not in codes:
            problems.append(f"exclusions[{i}].band: {ex.band!r} is not a band of {framework.id}")
        if ex.kind == "band_drop" and not ex.levels:
            problems.append(f"exclusions[{i}].levels: a band_drop exclusion needs levels ≥ 1")
    return problems


def evaluate(rules: RewardRules, framework: Framework, cycle: CycleResult, previous: CycleResult | None = None) -> list[RewardDecision]:
    problems = check_rules(rules, framework)
    if problems:
        raise RulesError("\n".join(problems))
    level = _levels(framework)
    labels: dict[str, Band] = {b.code: b for b in framework.bands}
    before = {u.code: u for u in previous.units} if previous else {}
    out: list[RewardDecision] = []
    for group in dict.fromkeys(u.group for u in cycle.units):
        units = sorted((u for u in cycle.units if u.group == group), key=lambda u: (u.rank or 10**9, u.name))
        reasons: dict[str, list[str]] = {}
        for u in units:
            why = []
            band = u.band.code if u.band else None
            prev = before.get(u.code)
            prev_band = prev.band.code if prev and prev.band else None
            for ex in rules.exclusions:
                if ex.kind == "band_at_most" and band is not None and level[band] >= level[ex.band]:  # type: ignore[index]
                    why.append(f"{ex.reason_vi} (xếp loại {labels[band].label_vi})")
                if ex.kind == "band_drop" and band and prev_band and level[band] - level[prev_band] >= (ex.levels or 0):
                    why.append(f"{ex.reason_vi} ({labels[prev_band].label_vi} → {labels[band].label_vi})")
            if band is None or level[band] > level[rules.candidates.min_band]:
                why.append(f"xếp loại dưới {labels[rules.candidates.min_band].label_vi}")
            reasons[u.code] = why
        open_units = [u for u in units if not reasons[u.code]]
        cutoff_rank = open_units[rules.candidates.top_n - 1].rank if len(open_units) >= rules.candidates.top_n else None
        for u in units:
            if not reasons[u.code] and cutoff_rank is not None and u.rank > cutoff_rank:
                reasons[u.code].append(f"ngoài {rules.candidates.top_n} đơn vị dẫn đầu đủ điều kiện")
            prev = before.get(u.code)
            out.append(RewardDecision(
                unit_code=u.code, unit_name=u.name, group=group, rank=u.rank, index=u.index,
                band=u.band.code if u.band else None, previous_band=prev.band.code if prev and prev.band else None,
                candidate=not reasons[u.code], reasons=reasons[u.code],
            ))
    return out


def decisions_table(decisions: Sequence[RewardDecision]) -> list[list]:
    """Rows for the proposal table: group, rank, unit, index, band, proposed, reason."""
    return [[d.group, d.rank, d.unit_name, d.index, d.band, "Đề nghị" if d.candidate else "Không", "; ".join(d.reasons)]
            for d in decisions]
