"""Survey results as an Excel workbook (what officials exchange): the same numbers as ``compute --json``.

Sheets: ``TongHop`` (overall, aspects, elements with intervals, expectation and gap), ``DonVi`` (units: index,
interval, n, rank, rank interval, low-n flag, points), one sheet per other breakdown, ``TieuChi`` (criteria,
perception and expectation shares), ``DongLuc`` (drivers: importance–performance), ``PhuongPhap`` (method).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

_PCT = "0.00"


def _sheet(wb, title: str, header: list[str], rows: list[list[Any]], pct_cols: set[int]):
    from openpyxl.styles import Font

    ws = wb.create_sheet(title[:31])
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append(r)
    for row in ws.iter_rows(min_row=2):
        for idx in pct_cols:
            if idx < len(row):
                row[idx].number_format = _PCT
    ws.freeze_panes = "A2"
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = max(10, min(48, len(h) + 4))
    return ws


def _cells_rows(cells: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for u in sorted(cells, key=lambda u: (u.get("rank") is None, u.get("rank") or 0, u["label"])):
        o = u["overall"]
        rci = u.get("rank_ci")
        rows.append(
            [
                u.get("rank"),
                u["label"],
                o["index"],
                o["ci_low"],
                o["ci_high"],
                u["n"],
                f"{rci[0]}–{rci[1]}" if rci else None,
                "n nhỏ / low n" if u["low_n"] else "",
                u.get("points"),
            ]
            + [e["index"] for e in u["elements"]]
        )
    return rows


def write_results_xlsx(result: dict[str, Any], out: str | Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    o = result["overall"]
    rows: list[list[Any]] = [
        ["Chỉ số chung / overall", "", o["index"], o["ci_low"], o["ci_high"], o["n"], None, None]
    ]
    for a in result["aspects"]:
        rows.append(
            [f"Khía cạnh {a['code']}", a["vi"], a["index"], a["ci_low"], a["ci_high"], None, None, None]
        )
    for e in result["elements"]:
        rows.append(
            [
                f"Yếu tố {e['code']}",
                e["vi"],
                e["index"],
                e["ci_low"],
                e["ci_high"],
                e["n_min"],
                e["expectation"],
                e["gap"],
            ]
        )
    _sheet(
        wb,
        "TongHop",
        [
            "mức / level",
            "tên / name",
            "chỉ số %",
            "KTC thấp",
            "KTC cao",
            "n",
            "mong đợi %",
            "khoảng cách (đ.%)",
        ],
        rows,
        {2, 3, 4, 6, 7},
    )
    elem_codes = [e["code"] for e in result["elements"]]
    head = [
        "hạng / rank",
        "đơn vị / unit",
        "chỉ số %",
        "KTC thấp",
        "KTC cao",
        "n",
        "khoảng hạng",
        "ghi chú",
        "điểm / points",
    ] + elem_codes
    pct = {2, 3, 4} | set(range(9, 9 + len(elem_codes)))
    if "units" in result:
        _sheet(wb, "DonVi", head, _cells_rows(result["units"]), pct)
    for by, cells in result.get("groups", {}).items():
        _sheet(wb, f"Nhom_{by}", head, _cells_rows(cells), pct)
    crit = []
    for key in ("criteria", "perception", "expectation"):
        for c in result[key]:
            crit.append(
                [
                    c["code"],
                    c["element"],
                    c["measure"],
                    c["share"],
                    c["ci_low"],
                    c["ci_high"],
                    c["n"],
                    c["n_eff"],
                    c["mean_0_100"],
                ]
            )
    _sheet(
        wb,
        "TieuChi",
        [
            "mã / code",
            "yếu tố",
            "đo lường / measure",
            "tỷ lệ %",
            "KTC thấp",
            "KTC cao",
            "n",
            "n hiệu dụng",
            "trung bình 0–100",
        ],
        crit,
        {3, 4, 5, 8},
    )
    d = result.get("drivers", {})
    if d.get("available"):
        _sheet(
            wb,
            "DongLuc",
            ["yếu tố / element", "tầm quan trọng % / importance", "kết quả % / performance", "ô / quadrant"],
            [[e["element"], e["importance"], e["performance"], e["quadrant"]] for e in d["elements"]],
            {1, 2},
        )
    m = result["method"]
    _sheet(
        wb,
        "PhuongPhap",
        ["mục / item", "giá trị / value"],
        [["instrument", result["instrument"]], ["version", result.get("instrument_version", "")]]
        + [[k, json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v] for k, v in m.items()],
        set(),
    )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out


def ci_rows(result: dict[str, Any], level: str = "elements") -> list[dict[str, Any]]:
    """Rows ``{"element", "value", "low", "high"}`` for a confidence-bar chart
    (:func:`cchc.reports.charts.satisfaction_with_ci`) of the elements, aspects or units of a result."""
    if level == "units":
        items = [(u["label"], u["overall"]) for u in result.get("units", []) if not u["low_n"]]
        items.sort(key=lambda t: -(t[1]["index"] or 0))
    elif level in ("elements", "aspects"):
        items = [(f"{x['code']} {x['vi']}", x) for x in result[level]]
    else:
        raise ValueError("level must be elements, aspects or units")
    return [
        {"element": name, "value": d["index"], "low": d["ci_low"], "high": d["ci_high"]}
        for name, d in items
        if d.get("index") is not None
    ]


def overlapping_units(units: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of units (labels, in the given order) whose overall confidence intervals overlap — the pairs whose
    order the survey does not establish. Units with few responses (``low_n``, not ranked) or without an
    interval are left out. Intervals that only touch (one's upper bound is the other's lower bound) overlap.

    >>> u = lambda label, lo, hi: {"label": label, "low_n": False, "overall": {"ci_low": lo, "ci_high": hi}}
    >>> overlapping_units([u("A", 80, 90), u("B", 60, 70), u("C", 65, 75)])
    [('B', 'C')]
    >>> overlapping_units([u("A", 80, 90), u("B", 60, 70)])
    []
    """
    items = [(u["label"], u["overall"]["ci_low"], u["overall"]["ci_high"]) for u in units
             if not u.get("low_n") and u.get("overall", {}).get("ci_low") is not None
             and u["overall"].get("ci_high") is not None]
    return [(a, b) for i, (a, alo, ahi) in enumerate(items) for (b, blo, bhi) in items[i + 1:]
            if alo <= bhi and blo <= ahi]


def ipa_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Rows ``{"element", "name", "importance", "performance", "quadrant"}`` of the importance–performance
    matrix, with the split lines in every row (``split_importance``, ``split_performance``); empty when the
    drivers analysis is not available."""
    d = result.get("drivers", {})
    if not d.get("available"):
        return []
    names = {e["code"]: e["vi"] for e in result["elements"]}
    return [
        {
            "element": e["element"],
            "name": names.get(e["element"], e["element"]),
            "importance": e["importance"],
            "performance": e["performance"],
            "quadrant": e["quadrant"],
            "split_importance": d["split_importance"],
            "split_performance": d["split_performance"],
        }
        for e in d["elements"]
    ]


def ipa_chart_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """:func:`ipa_rows` as :func:`cchc.reports.charts.importance_performance` takes them: the drivers analysis
    gives importance in percent (shares summing to 100), the chart's axis a fraction, so ``importance`` and
    ``split_importance`` are divided by 100 (a missing one stays None); the other fields as they are."""
    return [{**r, "importance": _fraction(r["importance"]), "split_importance": _fraction(r["split_importance"])}
            for r in ipa_rows(result)]


def _fraction(percent: float | None) -> float | None:
    return None if percent is None else percent / 100
