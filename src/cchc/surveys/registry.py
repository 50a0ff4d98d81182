"""Shipped instruments and loading by id or path.

>>> from cchc.surveys.registry import list_instruments, load_instrument
>>> "sipas-2022" in [i.id for i in list_instruments()]
True
>>> load_instrument("sipas-2017").aggregation.overall
'plain'
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from cchc.surveys.model import Instrument, InstrumentError, load_instrument_file

INSTRUMENTS_DIR = Path(__file__).with_name("instruments")


def shipped_paths() -> list[Path]:
    return sorted(INSTRUMENTS_DIR.glob("*.yaml"))


@lru_cache(maxsize=32)
def _load_path(path: str, mtime: float) -> Instrument:
    return load_instrument_file(path)


def load_instrument(ref: str | Path) -> Instrument:
    """Load a shipped instrument by id (``sipas-2022``) or any instrument YAML by path."""
    p = Path(ref)
    if p.suffix.lower() in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise InstrumentError(str(p), ["file not found"])
        return _load_path(str(p.resolve()), p.stat().st_mtime)
    candidate = INSTRUMENTS_DIR / f"{ref}.yaml"
    if candidate.exists():
        return _load_path(str(candidate), candidate.stat().st_mtime)
    known = ", ".join(p.stem for p in shipped_paths())
    raise InstrumentError(
        str(ref), [f"unknown instrument {str(ref)!r}; shipped: {known}; or give a path to a .yaml file"]
    )


def list_instruments() -> list[Instrument]:
    return [load_instrument(p) for p in shipped_paths()]


def describe(inst: Instrument) -> dict[str, Any]:
    """A JSON-ready description: aspects, elements, questions with their scales and satisfied answers."""
    aspects = []
    for a in inst.aspects:
        elements = []
        for e in a.elements:
            questions = []
            for q in e.questions:
                rq = inst.question(q.code)
                sc = rq.scale
                questions.append(
                    {
                        "code": q.code,
                        "vi": q.vi,
                        "en": q.en,
                        "measure": q.measure,
                        "scale": q.scale,
                        "scale_type": sc.type,
                        "options": [{"value": o.value, "vi": o.vi, "en": o.en} for o in sc.options],
                        "not_applicable": [o.value for o in sc.not_applicable],
                        "satisfied": list(rq.satisfied_values),
                        "required": q.required,
                        "weight": q.weight,
                        "relates_to": q.relates_to,
                        "status": q.status,
                    }
                )
            elements.append(
                {
                    "code": e.code,
                    "vi": e.vi,
                    "en": e.en,
                    "weight": e.weight,
                    "status": e.status,
                    "questions": questions,
                }
            )
        aspects.append(
            {
                "code": a.code,
                "vi": a.vi,
                "en": a.en,
                "weight": a.weight,
                "in_overall": a.in_overall,
                "status": a.status,
                "elements": elements,
            }
        )
    return {
        "id": inst.id,
        "version": inst.version,
        "title_vi": inst.title_vi,
        "title_en": inst.title_en,
        "status": inst.status,
        "legal_basis": inst.legal_basis,
        "respondents_vi": inst.respondents_vi,
        "respondents_en": inst.respondents_en,
        "sources": inst.sources,
        "unknown": inst.unknown,
        "note": inst.note,
        "min_n": inst.min_n,
        "aggregation": inst.aggregation.model_dump(),
        "drivers_outcome": inst.drivers_outcome,
        "attributes": [a.model_dump() for a in inst.attributes],
        "aspects": aspects,
    }
