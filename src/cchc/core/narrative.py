"""Sentences for reports, in Vietnamese (first) and English, from a :class:`UnitSummary`.

The Vietnamese follows the wording of provincial reports:

    Chỉ số CCHC năm 2023 đạt 86,14%, xếp thứ 43/63 tỉnh, thành phố trực thuộc Trung ương, tăng 4,79 điểm
    và tăng 12 bậc so với năm 2022; trong khu vực Tây Nguyên xếp thứ 2, sau tỉnh Đắk Lắk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cchc.core.comparison import FieldChange, UnitSummary, cycle_rows, summarize
from cchc.core.numbers import format_number_en, format_number_vi
from cchc.core.results import ResultRow, ResultSet
from cchc.core.scoring import CycleResult


@dataclass(frozen=True)
class NarrativeStyle:
    index_name_vi: str = "Chỉ số CCHC"
    index_name_en: str = "PAR INDEX"
    unit_noun_vi: str = "tỉnh, thành phố trực thuộc Trung ương"
    unit_noun_en: str = "provinces and centrally-run cities"
    precision: int = 2


def ordinal_en(n: int) -> str:
    """English ordinal.

    >>> [ordinal_en(n) for n in (1, 2, 3, 11, 12, 22, 43)]
    ['1st', '2nd', '3rd', '11th', '12th', '22nd', '43rd']
    """
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_WORDS = {
    "vi": {"up": "tăng", "down": "giảm", "points": "điểm", "places": "bậc", "place": "bậc",
           "same_points": "giữ nguyên điểm số", "same_places": "giữ nguyên thứ hạng"},
    "en": {"up": "up", "down": "down", "points": "points", "places": "places", "place": "place",
           "same_points": "unchanged in points", "same_places": "the same place"},
}


def change_phrase(value: float | int | None, what: str, precision: int = 2, lang: str = "vi") -> str | None:
    """'tăng 4,79 điểm', 'giảm 3 bậc', 'up 12 places'; ``what`` is ``points`` or ``places``.

    >>> change_phrase(4.79, "points"), change_phrase(-3, "places"), change_phrase(1, "places", lang="en")
    ('tăng 4,79 điểm', 'giảm 3 bậc', 'up 1 place')
    """
    if value is None:
        return None
    words = _WORDS[lang]
    if value == 0:
        return words[f"same_{what}"]
    fmt = format_number_vi if lang == "vi" else format_number_en
    amount = fmt(abs(value), precision) if what == "points" else str(abs(int(value)))
    unit = words["place"] if what == "places" and abs(int(value)) == 1 else words[what]
    return f"{words['up' if value > 0 else 'down']} {amount} {unit}"


def headline_vi(s: UnitSummary, style: NarrativeStyle = NarrativeStyle(), kinds: Mapping[str, str] | None = None) -> str:
    """The headline sentence in Vietnamese."""
    p = style.precision
    parts = [f"{style.index_name_vi} năm {s.year}"]
    if s.index is not None:
        parts.append(f" đạt {format_number_vi(s.index, p)}%")
    if s.rank:
        parts.append(f", xếp thứ {s.rank}/{s.of} {style.unit_noun_vi}" if s.of else f", xếp thứ {s.rank}")
    changes = [c for c in (change_phrase(s.delta_points, "points", p), change_phrase(s.delta_rank, "places", p)) if c]
    if changes and s.prev_year:
        parts.append(f", {' và '.join(changes)} so với năm {s.prev_year}")
    if s.baseline_note:
        parts.append(f" ({s.baseline_note})")
    if s.region and s.region_rank:
        parts.append(f"; trong khu vực {s.region} " + _region_vi(s, kinds or {}))
    return "".join(parts) + "."


def _region_vi(s: UnitSummary, kinds: Mapping[str, str]) -> str:
    if s.region_rank == 1:
        return "dẫn đầu khu vực" if s.region_size and s.region_size > 1 else "xếp thứ 1"
    leader = f"{kinds.get(s.region_leader or '', 'tỉnh')} {s.region_leader}" if s.region_leader else None
    if s.region_rank == 2 and leader:
        return f"xếp thứ 2, sau {leader}"
    text = f"xếp thứ {s.region_rank}/{s.region_size}"
    return f"{text}, dẫn đầu khu vực là {leader}" if leader else text


def headline_en(
    s: UnitSummary,
    style: NarrativeStyle = NarrativeStyle(),
    kinds: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
) -> str:
    """The headline sentence in English."""
    p = style.precision
    parts = [f"In {s.year} the {style.index_name_en}"]
    parts.append(f" reached {format_number_en(s.index, p)}%" if s.index is not None else " was published")
    if s.rank:
        parts.append(f", ranking {ordinal_en(s.rank)} of {s.of} {style.unit_noun_en}" if s.of else f", ranking {ordinal_en(s.rank)}")
    changes = [c for c in (change_phrase(s.delta_points, "points", p, "en"), change_phrase(s.delta_rank, "places", p, "en")) if c]
    if changes and s.prev_year:
        parts.append(f", {' and '.join(changes)} from {s.prev_year}")
    if s.region and s.region_rank:
        region = (region_names or {}).get(s.region, s.region)
        kind = {"tỉnh": "province", "thành phố": "city"}.get((kinds or {}).get(s.region_leader or "", "tỉnh"), "province")
        if s.region_rank == 1:
            parts.append(f"; it led the {region} region")
        elif s.region_rank == 2 and s.region_leader:
            parts.append(f"; within the {region} region it ranked 2nd, after {s.region_leader} {kind}")
        else:
            lead = f", led by {s.region_leader} {kind}" if s.region_leader else ""
            parts.append(f"; within the {region} region it ranked {ordinal_en(s.region_rank)} of {s.region_size}{lead}")
    return "".join(parts) + "."


def field_name_vi(name: str) -> str:
    """'Cải cách thể chế' → 'chỉ số cải cách thể chế'."""
    return "chỉ số " + (name[:1].lower() + name[1:] if name else name)


def split_movers(fields: list[FieldChange]) -> tuple[list[FieldChange], list[FieldChange]]:
    """Fields that moved up (most places first) and down (most places first)."""
    moved = [f for f in fields if f.delta_rank]
    ups = sorted((f for f in moved if f.delta_rank > 0), key=lambda f: -f.delta_rank)  # type: ignore[operator]
    downs = sorted((f for f in moved if f.delta_rank < 0), key=lambda f: f.delta_rank)  # type: ignore[arg-type, operator]
    return ups, downs


def movers_vi(fields: list[FieldChange], names: Mapping[str, str]) -> str | None:
    """'Các chỉ số thành phần tăng bậc: chỉ số cải cách thể chế tăng 21 bậc, …; các chỉ số thành phần giảm bậc: …'."""
    ups, downs = split_movers(fields)
    parts = []
    for group, lead in ((ups, "tăng bậc"), (downs, "giảm bậc")):
        if group:
            items = ", ".join(f"{field_name_vi(names.get(f.code, f.code))} {change_phrase(f.delta_rank, 'places')}" for f in group)
            parts.append(f"{'các' if parts else 'Các'} chỉ số thành phần {lead}: {items}")
    return "; ".join(parts) + "." if parts else None


def movers_en(fields: list[FieldChange], names: Mapping[str, str]) -> str | None:
    ups, downs = split_movers(fields)
    parts = []
    for group, lead in ((ups, "moving up"), (downs, "moving down")):
        if group:
            items = ", ".join(f"{names.get(f.code, f.code)} {f.delta_rank:+d}" for f in group)  # type: ignore[str-format]
            parts.append(f"{'fields' if parts else 'Fields'} {lead}: {items}")
    return "; ".join(parts) + " places." if parts else None


def narrative_vi(s: UnitSummary, field_names: Mapping[str, str], style: NarrativeStyle = NarrativeStyle(), kinds: Mapping[str, str] | None = None) -> str:
    text = headline_vi(s, style, kinds)
    movers = movers_vi(s.fields, field_names)
    return f"{text} {movers}" if movers else text


def narrative_en(
    s: UnitSummary,
    field_names: Mapping[str, str],
    style: NarrativeStyle = NarrativeStyle(),
    kinds: Mapping[str, str] | None = None,
    region_names: Mapping[str, str] | None = None,
) -> str:
    text = headline_en(s, style, kinds, region_names)
    movers = movers_en(s.fields, field_names)
    return f"{text} {movers}" if movers else text


def within_group_narratives(
    result: CycleResult,
    previous: CycleResult | None,
    year: int,
    prev_year: int | None,
    predecessors: Mapping[str, list[str]],
    style: NarrativeStyle,
    names_vi: Mapping[str, str],
    names_en: Mapping[str, str],
) -> dict[str, dict[str, str]]:
    """Per unit code, ``{"vi": …, "en": …}``: the narrative of each unit of a computed cycle inside a province.

    The method choices for units of one province (departments, communes):

    - only units with every input (no ``missing`` leaf) get a narrative;
    - regional standing is left out (rows go in without a region): it is worded for provinces, and inside a
      province the rank within the unit type is the point;
    - each unit type is its own ranking: rank and "of" are within the type;
    - last year's baseline comes through ``predecessors`` (current code → previous codes; a code absent means
      the unit itself) and only when the unit has exactly one predecessor with a result in ``previous``
      (a rename, or the same unit): then the change in points and places is stated against it. A merged unit
      (several predecessors) or a new one gets no change sentence.

    ``style`` and the field names (top-level node code → name) come from the framework; ``style.precision``
    is the framework's precision.
    """
    complete = {u.code for u in result.units if not u.missing}
    cur_rows = [replace(r, region=None) for r in cycle_rows(result, year) if r.code in complete]
    prev_rows: dict[str | None, ResultRow] = (
        {r.code: replace(r, region=None) for r in cycle_rows(previous, prev_year)}
        if previous is not None and prev_year
        else {}
    )
    out: dict[str, dict[str, str]] = {}
    for group in sorted({r.unit_type or "" for r in cur_rows}):
        rows = [r for r in cur_rows if (r.unit_type or "") == group]
        olds: list[tuple[str | None, ResultRow]] = []
        for r in rows:
            codes = predecessors.get(r.code, [r.code])  # type: ignore[arg-type]
            if len(codes) == 1 and codes[0] in prev_rows:
                olds.append((r.code, prev_rows[codes[0]]))
        results = ResultSet(rows + [o for _c, o in olds], precision=style.precision)
        baseline = dict(olds)
        for r in rows:
            try:
                summary = summarize(results, r.code, year, previous=baseline.get(r.code))  # type: ignore[arg-type]
            except KeyError:
                continue
            out[r.code] = {"vi": narrative_vi(summary, names_vi, style), "en": narrative_en(summary, names_en, style)}  # type: ignore[index]
    return out
