"""From lost points to draft remedial tasks (đề xuất nhiệm vụ khắc phục).

After results are published, every criterion where a unit lost points becomes a draft task for the responsible
unit, grouped by criterion, with the points at stake. A person accepts, edits or discards each proposal.

- Internal index: the unit that lost the points is responsible for its own remedy.
- National index: the province lost points on a field; the responsible department is the field's ``agency`` in
  the framework (Justice → institutional reform, Finance → public finance …), else the PAR office.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cchc.core.framework import POINTS_TOLERANCE, Framework
from cchc.core.numbers import format_number_vi, round_half_up
from cchc.core.scoring import CycleResult


@dataclass(frozen=True)
class Proposal:
    unit_code: str
    unit_name: str
    criterion: str
    criterion_name: str
    points_lost: float
    max_points: float
    title: str
    source: str  # "internal:<framework id>:<year>" or "national:<label>:<year>"


def internal_proposals(framework: Framework, cycle: CycleResult, year: int, depth: int = 1,
                       min_lost: float = POINTS_TOLERANCE) -> list[Proposal]:
    """One proposal per unit × criterion (``depth`` 1 = criteria under fields) where points were lost,
    grouped by criterion, largest loss first within each."""
    depth_of = {node.code: (len(anc), node) for node, anc in framework.walk()}
    out = []
    for unit in cycle.units:
        for code, lost in unit.lost.items():
            d, node = depth_of[code]
            is_target = d == depth or (d < depth and node.is_leaf)
            if not is_target or lost < min_lost:
                continue
            out.append(Proposal(
                unit_code=unit.code, unit_name=unit.name, criterion=code, criterion_name=node.name_vi,
                points_lost=round_half_up(lost, framework.precision), max_points=unit.nodes[code].max_points,
                title=f"Khắc phục tiêu chí {code} \"{node.name_vi}\" (bị mất {format_number_vi(lost, framework.precision)} "
                      f"/ {format_number_vi(unit.nodes[code].max_points, framework.precision)} điểm năm {year})",
                source=f"internal:{framework.id}:{year}",
            ))
    order = {code: i for i, code in enumerate(depth_of)}
    out.sort(key=lambda p: (order[p.criterion], -p.points_lost, p.unit_name))
    return out


def national_proposals(framework: Framework, field_indices: Mapping[str, float], year: int, label: str = "PAR INDEX",
                       agencies: Mapping[str, tuple[str, str]] | None = None,
                       default: tuple[str, str] = ("SNV", "Sở Nội vụ")) -> list[Proposal]:
    """Proposals from the province's published field indices in a national index.

    Points lost = max × (1 − index/100) where the field's maximum is public; for fields with unknown maxima the
    loss is given in index points (100 − index) and the title says so. ``agencies`` maps a field code to the
    (unit code, unit name) responsible; otherwise the field's ``agency`` name, else ``default``."""
    out = []
    for node in framework.fields:
        if node.code not in field_indices:
            continue
        index = field_indices[node.code]
        if index >= 100 - POINTS_TOLERANCE:
            continue
        code, name = (agencies or {}).get(node.code) or ((node.agency, node.agency) if node.agency else default)
        if node.max_points:
            lost = round_half_up(node.max_points * (1 - index / 100), framework.precision)
            what = f"bị mất {format_number_vi(lost, framework.precision)} / {format_number_vi(node.max_points, framework.precision)} điểm"
            top = node.max_points
        else:
            lost = round_half_up(100 - index, framework.precision)
            what = f"chỉ số thành phần đạt {format_number_vi(index, framework.precision)}% (điểm tối đa chưa công bố)"
            top = 100.0
        out.append(Proposal(
            unit_code=code, unit_name=name, criterion=node.code, criterion_name=node.name_vi, points_lost=lost,
            max_points=top, title=f"Nâng cao {label} lĩnh vực {node.code} \"{node.name_vi}\" ({what} năm {year})",
            source=f"national:{label}:{year}",
        ))
    out.sort(key=lambda p: -p.points_lost / p.max_points)
    return out
