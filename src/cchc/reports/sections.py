"""Report sections built from the core's results: national indices and the internal index.

Each builder returns a :class:`~cchc.reports.blocks.Section`. A section whose data is absent says so in one
sentence rather than disappearing, so a reader knows what was not covered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cchc.core.comparison import UnitChange, compare_cycles, summarize
from cchc.core.diagnostics import lost_points
from cchc.core.framework import Framework
from cchc.core.names import sort_key_vi
from cchc.core.narrative import NarrativeStyle, change_phrase, narrative_vi
from cchc.core.numbers import format_number_vi, round_half_up
from cchc.core.results import ResultSet
from cchc.core.scoring import CycleResult
from cchc.reports import charts
from cchc.reports.blocks import Chart, Paragraph, Section, Table

# The default noun of each unit-type group, as a heading ("UBND các xã": proper nouns keep their capitals). The
# "board" type holds boards and the central agencies in the province (Công an, Thuế, BHXH, Kho bạc), hence
# "ban, ngành" as the unit type itself is named; a province overrides any of these with ``group_labels``.
UNIT_TYPE_VI = {
    "department": "Các sở", "board": "Các ban, ngành", "commune": "UBND các xã",
    "ward": "UBND các phường", "special-zone": "Đặc khu", "province": "Tỉnh, thành phố", "other": "Các đơn vị khác",
}


def group_label(group: str | None, framework: Framework | None = None,
                overrides: Mapping[str | None, str] | None = None) -> str:
    """The heading of a unit group, never its code: ``overrides`` (the province's table), else the default table,
    else the framework's unit noun ("Các cơ quan, đơn vị")."""
    if overrides and group in overrides:
        return overrides[group]
    if group in UNIT_TYPE_VI:
        return UNIT_TYPE_VI[group]
    noun = framework.unit_noun_vi if framework is not None else "cơ quan, đơn vị"
    return f"Các {noun}"


def in_sentence(label: str) -> str:
    """A heading inside a sentence: the first word in lower case unless it is an abbreviation or a proper noun
    written in capitals ("UBND các xã" stays, "Các sở" → "các sở")."""
    first = label.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():
        return label
    return label[:1].lower() + label[1:]


NATIONAL_KIND = "national"
INTERNAL_KIND = "internal"


def absent(title: str, what: str, kind: str = "") -> Section:
    return Section(title, [Paragraph(f"Chưa có số liệu {what} cho kỳ báo cáo này.", "note")], available=False,
                   kind=kind)


# ---- 1. national indices ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NationalIndex:
    """A published national index table (PAR INDEX, SIPAS or PAPI) and how to word it."""

    label: str  # "PAR INDEX", "SIPAS", "PAPI"
    results: ResultSet
    framework: Framework | None = None
    index_name_vi: str = "Chỉ số CCHC"


def national_section(
    indices: Sequence[NationalIndex], province: str, year: int, kinds: Mapping[str, str] | None = None
) -> Section:
    """Each index's latest published year up to ``year`` for the province, with narrative, fields and charts."""
    title = "Kết quả các chỉ số đánh giá cấp quốc gia"
    if not indices:
        return absent(title, "các chỉ số quốc gia (PAR INDEX, SIPAS, PAPI)", NATIONAL_KIND)
    section = Section(title, kind=NATIONAL_KIND)
    for item in indices:
        # national indices are announced the following spring: report the latest year up to the period's
        known = [y for y in item.results.years() if y <= year and item.results.find(province, y) is not None]
        if not known:
            section.blocks.append(Paragraph(f"{item.label}: chưa có kết quả đến năm {year} của {province}.", "note"))
            continue
        summary = summarize(item.results, province, max(known))
        fw = item.framework
        names = {n.code: n.name_vi for n in fw.fields} if fw else {}
        style = NarrativeStyle(index_name_vi=item.index_name_vi, unit_noun_vi=fw.unit_noun_vi if fw else NarrativeStyle.unit_noun_vi)
        section.blocks.append(Paragraph(narrative_vi(summary, names, style, kinds)))
        if summary.fields:
            rows = [
                [f.code, names.get(f.code, f.code), f.index, f.rank, f.prev_rank, f.delta_rank]
                for f in summary.fields
            ]
            section.blocks.append(Table(
                f"{item.label} {summary.year}: chỉ số thành phần", f"{item.label} {summary.year} lĩnh vực"[:31],
                ["Mã", "Lĩnh vực", "Chỉ số (%)", "Hạng", f"Hạng {summary.prev_year or ''}".strip(), "Thay đổi (bậc)"],
                rows, ["text", "text", "num", "int", "int", "signed_int"],
            ))
        trajectory = [
            {"unit": row.unit, "year": row.year, "rank": row.rank}
            for y in item.results.years()
            if (row := item.results.find(province, y)) is not None
        ]
        if len([t for t in trajectory if t["rank"]]) >= 2:
            section.blocks.append(Chart(
                f"{_slug(item.label)}-rank-trajectory",
                charts.rank_trajectory(trajectory, summary.of, f"{item.label}: thứ hạng của {province} qua các năm"),
                f"Thứ hạng {item.label} của {province} qua các năm",
            ))
        if summary.region:
            members = [{"unit": r.unit, "rank": r.rank} for r in item.results.year(summary.year) if r.region == summary.region]
            if sum(1 for m in members if m["rank"]) >= 2:
                section.blocks.append(Chart(
                    f"{_slug(item.label)}-region",
                    charts.regional_comparison(members, summary.unit, f"{item.label} {summary.year}: khu vực {summary.region}"),
                    f"{item.label} {summary.year} trong khu vực {summary.region}",
                ))
    return section


def _slug(text: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "-" for ch in text).strip("-")


# ---- 2. the internal index ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InternalIndex:
    framework: Framework
    cycle: CycleResult
    year: int
    previous: CycleResult | None = None
    group_labels: Mapping[str | None, str] | None = None  # the province's group headings, by unit type


def ranking_table(framework: Framework, cycle: CycleResult, changes: Mapping[str, UnitChange], group: str | None, year: int,
                  group_labels: Mapping[str | None, str] | None = None) -> Table:
    p = framework.precision
    units = [u for u in cycle.units if u.group == group]
    rows = []
    for u in units:
        ch = changes.get(u.code)
        rows.append([
            u.rank or None, u.name, round_half_up(u.total, p), u.index if u.ranked else None,
            u.band.label_vi if u.band else _unranked(u),
            ch.delta_points if ch else None, ch.delta_rank if ch else None,
        ])
    label = group_label(group, framework, group_labels)
    return Table(
        f"Kết quả Chỉ số CCHC năm {year}: {in_sentence(label)}", f"Xếp hạng {in_sentence(label)}"[:31],
        ["Hạng", "Đơn vị", "Tổng điểm", "Chỉ số (%)", "Xếp loại", "± điểm", "± bậc"],
        rows, ["int", "text", "num", "num", "text", "signed", "signed_int"],
    )


def internal_section(item: InternalIndex) -> Section:
    fw, cycle, year = item.framework, item.cycle, item.year
    section = Section(f"Kết quả Chỉ số CCHC năm {year} của các cơ quan, đơn vị ({fw.unit_noun_vi})",
                      kind=INTERNAL_KIND)
    changes = compare_cycles(cycle, item.previous) if item.previous else {}
    groups = list(dict.fromkeys(u.group for u in cycle.units))
    for group in groups:
        units = [u for u in cycle.units if u.group == group]
        label = group_label(group, fw, item.group_labels)
        counts = {b.label_vi: sum(1 for u in units if u.band and u.band.code == b.code) for b in fw.bands}
        bands = ", ".join(f"{n} đơn vị xếp loại {label_}" for label_, n in counts.items() if n)
        top = [u for u in units if u.rank == 1]
        ranked = [u for u in units if u.ranked]
        mean = sum(u.index for u in ranked) / len(ranked) if ranked else float("nan")
        unranked = len(units) - len(ranked)
        text = (
            f"{label}: {len(units)} đơn vị"
            + (f" ({unranked} đơn vị không xếp hạng)" if unranked else "")
            + f", chỉ số bình quân {format_number_vi(mean, fw.precision)}%; "
            f"{bands or 'chưa xếp loại'}. Dẫn đầu: {', '.join(f'{u.name} ({format_number_vi(u.index, fw.precision)}%)' for u in top)}."
        )
        section.blocks.append(Paragraph(text))
        section.blocks.append(ranking_table(fw, cycle, changes, group, year, item.group_labels))
        movers = _movers_text(units, changes)
        if movers:
            section.blocks.append(Paragraph(movers))
    fields_rows = _field_average_rows(fw, cycle, item.group_labels)
    if fields_rows:
        section.blocks.append(Chart(
            f"field-indices-{fw.id}-{year}",
            charts.fields_against_average(fields_rows, f"Chỉ số theo lĩnh vực năm {year}: nhóm đơn vị và bình quân chung"),
            f"Chỉ số bình quân theo lĩnh vực của từng nhóm đơn vị (cột) và bình quân chung (vạch đỏ), năm {year}",
        ))
    section.blocks.append(_lost_table(fw, cycle))
    section.blocks.append(Chart(
        f"lost-points-heatmap-{fw.id}-{year}",
        charts.lost_points_heatmap(_heat_rows(fw, cycle), f"Tỷ lệ điểm bị mất theo lĩnh vực, năm {year}"),
        f"Tỷ lệ điểm bị mất theo đơn vị và lĩnh vực, năm {year}",
    ))
    return section


def _movers_text(units, changes: Mapping[str, UnitChange]) -> str | None:
    moved = [(u, changes[u.code]) for u in units if u.code in changes and changes[u.code].delta_rank]
    if not moved:
        return None
    ups = sorted((m for m in moved if m[1].delta_rank > 0), key=lambda m: -m[1].delta_rank)[:3]
    downs = sorted((m for m in moved if m[1].delta_rank < 0), key=lambda m: m[1].delta_rank)[:3]
    parts = []
    if ups:
        parts.append("Tăng bậc nhiều nhất: " + ", ".join(f"{u.name} ({change_phrase(c.delta_rank, 'places')})" for u, c in ups))
    if downs:
        parts.append("giảm bậc nhiều nhất: " + ", ".join(f"{u.name} ({change_phrase(c.delta_rank, 'places')})" for u, c in downs))
    band_drops = [u.name for u, c in moved if c.band_changed]
    text = "; ".join(parts) + "."
    if band_drops:
        text += f" Thay đổi xếp loại so với năm trước: {', '.join(sorted(band_drops, key=sort_key_vi))}."
    return text[0].upper() + text[1:]


def _field_average_rows(fw: Framework, cycle: CycleResult,
                        group_labels: Mapping[str | None, str] | None = None) -> list[dict]:
    """Mean field index per group (bars) against the mean over all units (tick)."""
    rows = []
    groups = list(dict.fromkeys(u.group for u in cycle.units))
    for f in fw.fields:
        values = [u.nodes[f.code].index for u in cycle.units if f.code in u.nodes and u.nodes[f.code].index is not None]
        if not values:
            continue
        overall = sum(values) / len(values)
        for group in groups:
            mine = [u.nodes[f.code].index for u in cycle.units
                    if u.group == group and f.code in u.nodes and u.nodes[f.code].index is not None]
            if mine:
                label = f"{f.code}. {f.name_vi}" + (f" — {group_label(group, fw, group_labels)}" if len(groups) > 1 else "")
                rows.append({"field": label, "index": round(sum(mine) / len(mine), 2), "average": round(overall, 2)})
    return rows


def _lost_table(fw: Framework, cycle: CycleResult) -> Table:
    p = fw.precision
    rows = [
        [x.code, x.name_vi, x.max_points, round_half_up(x.lost, p), round_half_up(x.mean_lost, p), x.units_losing, x.units]
        for x in lost_points(fw, cycle.units, depth=1)[:15]
        if x.lost > 0
    ]
    return Table(
        "Các tiêu chí bị mất nhiều điểm nhất", "Điểm bị mất",
        ["Mã", "Tiêu chí", "Điểm tối đa", "Tổng điểm bị mất", "Bình quân/đơn vị", "Số đơn vị bị mất điểm", "Số đơn vị"],
        rows, ["text", "text", "num", "num", "num", "int", "int"],
    )


def _heat_rows(fw: Framework, cycle: CycleResult) -> list[dict]:
    rows = []
    for u in cycle.units:
        for f in fw.fields:
            score = u.nodes.get(f.code)
            if score and score.max_points > 0:
                rows.append({"unit": u.name, "field": f.code, "lost_pct": round(100 * (score.max_points - score.points) / score.max_points, 1)})
    return rows


def _unranked(u) -> str:
    """What the band column says of a unit without a rank: never a band, never a place; the council's reason."""
    if u.ranked:
        return ""
    return f"Không xếp hạng ({u.excluded})" if u.excluded else "Không xếp hạng (chưa có kết quả)"


def decision_annex_tables(fw: Framework, cycle: CycleResult, year: int,
                          group_labels: Mapping[str | None, str] | None = None) -> list[Table]:
    """The annex of the results decision: per unit type, unit, points by field, total, index, rank, band; a unit
    left out of the ranking shows "Không xếp hạng" and the council's reason instead of a rank and a band."""
    p = fw.precision
    fields = list(fw.fields)
    tables = []
    for group in dict.fromkeys(u.group for u in cycle.units):
        label = group_label(group, fw, group_labels)
        rows = []
        for n, u in enumerate((u for u in cycle.units if u.group == group), start=1):
            rows.append([n, u.name] + [round_half_up(u.nodes[f.code].points, p) if f.code in u.nodes else None for f in fields]
                        + [round_half_up(u.total, p), u.index if u.ranked else None, u.rank or None,
                           u.band.label_vi if u.band else _unranked(u)])
        tables.append(Table(
            f"Chỉ số CCHC năm {year}: {in_sentence(label)}", f"Phụ lục {in_sentence(label)}"[:31],
            ["STT", "Đơn vị"] + [f"LV {f.code} ({f.max_points:g})" if f.max_points else f"LV {f.code} (±)" for f in fields] + ["Tổng điểm", "Chỉ số (%)", "Xếp hạng", "Xếp loại"],
            rows, ["int", "text"] + ["num"] * len(fields) + ["num", "num", "int", "text"],
        ))
    return tables
