"""A stored framework as the core reads it, and the facts of its leaves that pages show. Model-free: the models
import this module, never the other way round."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cchc.core.framework import parse_framework
from cchc.core.scoring import compile_framework

_COMPILED: dict[tuple[int, str], Any] = {}


_PARSED: dict[tuple[str, str], Any] = {}


def framework_from_record(record):
    """The validated framework of a stored record. Records are immutable per (id, version), so the parsed
    framework is cached per process."""
    key = (record.framework_id, record.version)
    fw = _PARSED.get(key)
    if fw is None:
        fw = _PARSED[key] = parse_framework(record.data, source=f"{record.framework_id} v{record.version}")
    return fw


def compiled(fw):
    """The core's compiled form of a framework, cached per framework object (frameworks are immutable)."""
    key = (id(fw), f"{fw.id} v{fw.version}")
    hit = _COMPILED.get(key)
    if hit is None or hit.framework is not fw:
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        hit = _COMPILED[key] = compile_framework(fw)
    return hit


@dataclass(frozen=True)
class LeafRow:
    """A leaf as pages show it: the node, its ancestors' codes and names, and its field (top-level) code."""

    node: Any
    ancestors: tuple[str, ...]
    field_code: str
    depth: int


def leaf_rows(fw, unit_type: str | None) -> list[LeafRow]:
    applicable = {n.code for n in fw.leaves(unit_type)}
    rows = []
    for node, ancestors in fw.walk():
        if node.code in applicable:
            rows.append(LeafRow(node, ancestors, ancestors[0] if ancestors else node.code, len(ancestors)))
    return rows


def field_of(fw, leaf_code: str) -> str:
    for node, ancestors in fw.walk():
        if node.code == leaf_code:
            return ancestors[0] if ancestors else node.code
    raise KeyError(leaf_code)


# The leaf's range and level table are the core's (cchc.core.scoring.points_limits / level_points); these two
# names stay only for callers outside the assessments area (web/demo.py, tests/web/helpers.py,
# tests/web/test_page_cache.py) until they call the core directly.


def entry_kind(node) -> str:
    """How a person enters a leaf: ``points`` (manual, bonus, penalty), ``ratio`` or ``survey``."""
    kind = node.kind or "manual"
    return kind if kind in ("ratio", "survey") else "points"
