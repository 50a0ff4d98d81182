"""Chart specifications (Vega-Lite, via Altair) and their rendering to PNG/SVG with vl-convert.

One spec serves the web page (vega-embed, vendored) and the documents (PNG). Each function takes plain rows.

Colour never follows the alphabet: a chart coloured by band takes the band labels in band order (best to worst,
:func:`band_labels`) and gets the one palette :data:`BAND_PALETTE` through :func:`band_scale`, so a band has the
same colour in every chart, page and document, whatever its label or language; the other colour encodings name
their domain and range too (:data:`UNIT_COLOUR`, :data:`AVERAGE_COLOUR`). Axis and legend labels are never cut
(:data:`LABEL_LIMIT`, long names wrapped by :func:`wrapped_labels`) and never overlap (period labels slanted,
thinned when they still would).
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

FONT = "Liberation Sans, DejaVu Sans, Arial, sans-serif"

BAND_PALETTE: tuple[str, ...] = (
    "#1a7f37", "#4a9d3f", "#86b83a", "#c2b72b", "#e6a100", "#ec7f1c", "#e05a2b", "#cc3a2a", "#a50f15",
)
"""The colours of the bands, best to worst (dark green → dark red, one hue step each). A framework's bands take
evenly spaced colours of it (:func:`band_colours`): the best band is always the first colour, the worst the last."""
NO_BAND_COLOUR = "#a0aec0"
"""A value that is not a band of the framework (no result "—", not ranked): grey."""
UNIT_COLOUR = "#2b6cb0"
"""The unit (or group) shown, against :data:`AVERAGE_COLOUR` for the average it is compared with."""
AVERAGE_COLOUR = "#c53030"
OTHER_COLOUR = "#a0aec0"
LABEL_LIMIT = 400
"""Pixels an axis or legend label may take before Vega cuts it with "…" (Vega's default is 180)."""
WRAP_CHARS = 40
"""Characters per line of a wrapped axis label (about 240 px at 11 px Liberation Sans, within LABEL_LIMIT)."""
LINE_PX = 13
"""Height of one line of an 11 px axis label."""
PERIOD_AXIS: dict[str, Any] = {"labelAngle": -45, "labelAlign": "right", "labelOverlap": "greedy",
                               "labelSeparation": 2, "labelLimit": LABEL_LIMIT}
"""The axis of periods ("2025-01", "2025-W03", "2025-Q1"): slanted labels; those that would still overlap
(weeks over two years) are left out, evenly ("greedy")."""


def band_colours(n: int) -> list[str]:
    """``n`` colours for ``n`` bands in band order (best first): evenly spaced over :data:`BAND_PALETTE`, so they
    depend on the number of bands and each band's position only."""
    last = len(BAND_PALETTE) - 1
    if n <= 1:
        return list(BAND_PALETTE[:n])
    if n > len(BAND_PALETTE):  # more bands than colours: the palette, then its last colour
        return list(BAND_PALETTE) + [BAND_PALETTE[-1]] * (n - len(BAND_PALETTE))
    return [BAND_PALETTE[round(i * last / (n - 1))] for i in range(n)]


def band_labels(bands: Iterable[Any], lang: str = "vi") -> list[str]:
    """The labels of a framework's bands in band order, best to worst (highest ``min`` first; the framework's
    order among equals), as shown in ``lang``: English pages show ``label_en`` (``label_vi`` when it has none).
    ``bands`` are :class:`cchc.core.framework.Band` objects or dicts (``label_vi``, ``label_en``, ``min``)."""

    def get(b, key):
        return b.get(key) if isinstance(b, dict) else getattr(b, key, None)

    listed = list(bands)
    ordered = sorted(range(len(listed)), key=lambda i: (-(get(listed[i], "min") or 0), i))
    out = []
    for i in ordered:
        b = listed[i]
        label = (get(b, "label_en") or get(b, "label_vi")) if lang.startswith("en") else get(b, "label_vi")
        out.append(str(label))
    return out


def band_scale(labels: Sequence[str], values: Iterable[Any] = ()) -> dict[str, list[str]]:
    """The colour scale of a chart coloured by band: the band ``labels`` in band order (best first) take
    :func:`band_colours`; any other value among ``values`` (no band "—", not ranked) follows them in grey."""
    domain = list(dict.fromkeys(labels))
    extra = [v for v in dict.fromkeys(str(v) for v in values if v is not None) if v not in domain]
    return {"domain": domain + extra, "range": band_colours(len(domain)) + [NO_BAND_COLOUR] * len(extra)}


def wrapped_labels(labels: Iterable[str], width: int = WRAP_CHARS) -> tuple[str | None, int]:
    """A Vega ``labelExpr`` that breaks each long label into lines of at most ``width`` characters (at spaces),
    and the largest number of lines; ``None`` when every label fits on one line."""
    wrapped = {label: textwrap.wrap(label, width) or [label] for label in dict.fromkeys(str(x) for x in labels)}
    long = {label: lines for label, lines in wrapped.items() if len(lines) > 1}
    if not long:
        return None, 1
    expr = "datum.label"
    for label, lines in reversed(list(long.items())):
        expr = f"datum.label === {json.dumps(label, ensure_ascii=False)} ? {json.dumps(lines, ensure_ascii=False)} : {expr}"
    return expr, max(len(lines) for lines in wrapped.values())


def _name_axis(labels: Iterable[str]) -> tuple[dict[str, Any], int]:
    """Axis options of a band axis of names (fields, units, elements): never cut, long names wrapped; and the
    pixels one band needs for its label's lines."""
    expr, lines = wrapped_labels(labels)
    axis: dict[str, Any] = {"labelLimit": LABEL_LIMIT}
    if expr:
        axis.update(labelExpr=expr, labelLineHeight=LINE_PX)
    return axis, lines * LINE_PX + 8


def _legend(**extra: Any) -> dict[str, Any]:
    return {"labelLimit": LABEL_LIMIT, **extra}


def _config(spec: dict[str, Any]) -> dict[str, Any]:
    spec.setdefault("config", {})
    spec["config"].update({
        "font": FONT, "view": {"stroke": None},
        "title": {"font": FONT, "fontSize": 14}, "axis": {"labelFont": FONT, "titleFont": FONT, "labelAngle": 0},
        "legend": {"labelFont": FONT, "titleFont": FONT},
    })
    return spec


VEGA_LITE = "https://vega.github.io/schema/vega-lite/v6.json"


def indices_by_band(rows: Sequence[dict[str, Any]], index_title: str = "Chỉ số (%)",
                    band_title: str = "Xếp loại", *, bands: Sequence[str]) -> dict[str, Any]:
    """Rows ``{"unit", "index", "band"}`` (the band's label as shown) → one bar per unit on a 0–100 scale,
    highest on top, coloured by band (the results page of a cycle). ``bands``: the framework's band labels in
    band order, best first, in the language of ``rows`` (:func:`band_labels`); the colours are
    :func:`band_scale`'s, the legend lists every band. Width follows the container, 14 px a bar."""
    values = [{"unit": r["unit"], "index": r["index"], "band": r["band"]} for r in rows]
    return {
        "$schema": VEGA_LITE,
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "unit", "type": "nominal", "sort": "-x", "title": None,
                  "axis": {"labelLimit": LABEL_LIMIT}},
            "x": {"field": "index", "type": "quantitative", "title": index_title, "scale": {"domain": [0, 100]}},
            "color": {"field": "band", "type": "nominal", "title": band_title,
                      "scale": band_scale(bands, (v["band"] for v in values)), "legend": _legend()},
            "tooltip": [{"field": "unit"}, {"field": "index", "format": ".2f"}, {"field": "band"}],
        },
        "width": "container",
        "height": {"step": 14},
    }


def unit_against_group(rows: Sequence[dict[str, Any]], unit: str, average: str,
                       index_title: str = "Chỉ số (%)") -> dict[str, Any]:
    """Rows ``{"field", "index", "group_mean"}`` (field names in the order shown) → per field two bars side by
    side on a 0–100 scale: the unit's index (series ``unit``, :data:`UNIT_COLOUR`) and its group's average
    (series ``average``, :data:`AVERAGE_COLOUR`); a missing value (``None``) has no bar. Long field names are
    wrapped, each field tall enough for its lines. Width follows the container (the page of one unit's result)."""
    axis, step = _name_axis(r["field"] for r in rows)
    return {
        "$schema": VEGA_LITE,
        "data": {"values": [{"field": r["field"], "series": s, "index": v}
                            for r in rows for s, v in ((unit, r["index"]), (average, r["group_mean"]))
                            if v is not None]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "field", "type": "nominal", "title": None, "sort": [r["field"] for r in rows],
                  "axis": axis},
            "yOffset": {"field": "series"},
            "x": {"field": "index", "type": "quantitative", "title": index_title, "scale": {"domain": [0, 100]}},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": [unit, average], "range": [UNIT_COLOUR, AVERAGE_COLOUR]},
                      "legend": _legend(orient="top")},
        },
        "width": "container",
        "height": {"step": max(step, 2 * 12 + 8)},
    }


def rank_trajectory(points: Sequence[dict[str, Any]], of: int | None = None, title: str = "Thứ hạng qua các năm") -> dict[str, Any]:
    """Rows ``{"unit", "year", "rank"}`` → a line chart with rank 1 on top."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([p for p in points if p.get("rank")])
    scale = alt.Scale(reverse=True, domain=[1, of] if of else alt.Undefined, zero=False)
    units = list(dict.fromkeys(str(p["unit"]) for p in points if p.get("rank")))
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="Năm", axis=alt.Axis(labelOverlap="greedy")),
            y=alt.Y("rank:Q", title="Thứ hạng", scale=scale),
            color=alt.Color("unit:N", title="Đơn vị", scale=alt.Scale(domain=units),
                            legend=alt.Legend(**_legend())),
            tooltip=["unit", "year", "rank"],
        )
        .properties(width=420, height=220)
    )
    return _config(chart.to_dict())


def fields_against_average(rows: Sequence[dict[str, Any]], title: str, group_label: str = "Bình quân của nhóm đơn vị",
                           average_label: str = "Bình quân chung") -> dict[str, Any]:
    """Rows ``{"field", "index", "average"}`` → bars for the group (:data:`UNIT_COLOUR`), ticks for the overall
    average (:data:`AVERAGE_COLOUR`), with a legend naming both. Long field names are wrapped, never cut, each
    bar tall enough for its label's lines."""
    axis, step = _name_axis(r["field"] for r in rows)
    step = max(step, 24)
    scale = {"domain": [group_label, average_label], "range": [UNIT_COLOUR, AVERAGE_COLOUR]}
    x = {"field": "index", "type": "quantitative", "title": "Chỉ số (%)", "scale": {"domain": [0, 100]}}
    spec = {
        "$schema": VEGA_LITE,
        "title": title,
        "data": {"values": [{"field": r["field"], "index": r["index"], "average": r["average"]} for r in rows]},
        "encoding": {"y": {"field": "field", "type": "nominal", "title": None, "sort": None, "axis": axis}},
        "layer": [
            {"mark": "bar",
             "encoding": {"x": x,
                          "color": {"datum": group_label, "type": "nominal", "title": None, "scale": scale,
                                    "legend": _legend(orient="bottom", direction="horizontal")},
                          "tooltip": [{"field": "field"}, {"field": "index"}, {"field": "average"}]}},
            {"mark": {"type": "tick", "thickness": 3, "size": min(18, step - 6)},
             "encoding": {"x": {"field": "average", "type": "quantitative"},
                          "color": {"datum": average_label, "type": "nominal"}}},
        ],
        "width": 420,
        "height": {"step": step},
    }
    return _config(spec)


def regional_comparison(rows: Sequence[dict[str, Any]], highlight: str, title: str,
                        others: str = "Các tỉnh khác trong khu vực") -> dict[str, Any]:
    """Rows ``{"unit", "rank"}`` of one region → horizontal bars ordered by rank, the unit highlighted (the
    legend names the highlighted unit and ``others``)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame([{**r, "series": highlight if r["unit"] == highlight else others}
                         for r in rows if r.get("rank")])
    chart = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=alt.EncodingSortField("rank", order="ascending"), title=None,
                    axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            x=alt.X("rank:Q", title="Thứ hạng (thấp hơn là tốt hơn)"),
            color=alt.Color("series:N", title=None, scale=alt.Scale(domain=[highlight, others],
                                                                   range=["#c05621", OTHER_COLOUR]),
                            legend=alt.Legend(**_legend(orient="bottom", direction="horizontal"))),
            tooltip=["unit", "rank"],
        )
        .properties(width=420, height=max(100, 28 * len(data)))
    )
    return _config(chart.to_dict())


def lost_points_heatmap(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"unit", "field", "lost_pct"}`` (share of the field's maximum lost) → units × fields heat map."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    chart = (
        alt.Chart(data, title=title)
        .mark_rect()
        .encode(
            x=alt.X("field:N", title="Lĩnh vực", sort=None, axis=alt.Axis(labelOverlap="greedy")),
            y=alt.Y("unit:N", title=None, sort=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.Color("lost_pct:Q", title="% điểm bị mất", scale=alt.Scale(scheme="orangered", domain=[0, 60])),
            tooltip=["unit", "field", "lost_pct"],
        )
        .properties(width=320, height=max(120, 14 * data["unit"].nunique() if len(data) else 120))
    )
    return _config(chart.to_dict())


def satisfaction_with_ci(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"element", "value", "low", "high"}`` → points with confidence bars; long names wrapped."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    axis, step = _name_axis(r["element"] for r in rows)
    base = alt.Chart(data, title=title).encode(y=alt.Y("element:N", title=None, sort=None, axis=alt.Axis(**axis)))
    bars = base.mark_rule().encode(x=alt.X("low:Q", title="Tỷ lệ hài lòng (%)", scale=alt.Scale(zero=False)), x2="high:Q")
    dots = base.mark_point(filled=True, size=60).encode(x="value:Q", tooltip=["element", "value", "low", "high"])
    return _config((bars + dots).properties(width=420, height=max(100, max(26, step) * len(rows))).to_dict())


def trend(rows: Sequence[dict[str, Any]], title: str, y_title: str = "%") -> dict[str, Any]:
    """Rows ``{"period", "series", "value"}`` → lines over periods (service-delivery trends). Period labels are
    slanted and thinned where they would still overlap; series keep their colour by the order they come in."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    series = list(dict.fromkeys(str(r["series"]) for r in rows))
    chart = (
        alt.Chart(data, title=title)
        .mark_line(point=True)
        .encode(x=alt.X("period:O", title=None, axis=PERIOD_AXIS),
                y=alt.Y("value:Q", title=y_title),
                color=alt.Color("series:N", title=None, scale=alt.Scale(domain=series),
                                legend=alt.Legend(**_legend(orient="bottom", direction="vertical"))),
                tooltip=["period", "series", "value"])
        .properties(width=420, height=220)
    )
    return _config(chart.to_dict())


def render_png(spec: dict[str, Any], scale: float = 2.0) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(vl_spec=spec, scale=scale)


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(vl_spec=spec)


def importance_performance(rows: Sequence[dict[str, Any]], title: str) -> dict[str, Any]:
    """Rows ``{"name", "importance", "performance", "split_importance", "split_performance"}`` → the
    importance–performance matrix with its split lines. ``importance`` is a fraction (0.219 for 21.9 %)."""
    import altair as alt
    import pandas as pd

    data = pd.DataFrame(rows)
    points = (
        alt.Chart(data, title=title)
        .mark_circle(size=90)
        .encode(
            x=alt.X("importance:Q", title="Mức độ quan trọng (tỷ trọng giải thích)", axis=alt.Axis(format="%")),
            y=alt.Y("performance:Q", title="Mức độ hài lòng (%)", scale=alt.Scale(zero=False)),
            tooltip=["name", "importance", "performance"],
        )
    )
    labels = points.mark_text(align="left", dx=7, fontSize=10).encode(text="name:N")
    vline = alt.Chart(data.head(1)).mark_rule(strokeDash=[4, 4], color="#718096").encode(x="split_importance:Q")
    hline = alt.Chart(data.head(1)).mark_rule(strokeDash=[4, 4], color="#718096").encode(y="split_performance:Q")
    return _config((points + labels + vline + hline).properties(width=420, height=280).to_dict())
